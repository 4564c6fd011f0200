from connect_share_learn.cli import main

main()
