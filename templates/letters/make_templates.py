"""Remake the letter templates (*.docx) from their wording in source/*.md.

The .docx files are the English templates the toolkit fills in; a partnership may edit them in
Word. This script is for the toolkit's maintainers: it lays out the plain-text wording in
source/ as Word documents with real styles, so the wording can be reviewed as text.

    python templates/letters/make_templates.py

The layout (and the markup of source/*.md) is connect_share_learn.letter_layout's, the same
code that lays out a letter in another language when a pack is built in it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from connect_share_learn.documents import save_document
from connect_share_learn.letter_layout import lay_out

HERE = Path(__file__).resolve().parent
CREATED = dt.datetime(2026, 1, 1)
TITLES = {
    "invitation": "Invitation to the evaluation",
    "thank_you": "Thank you",
    "follow_up_invitation": "Follow-up invitation",
    "follow_up_reminder": "Follow-up reminder",
    "manager_letter": "Letter to the participant's manager",
    "information_sheet": "Information sheet and privacy notice",
    "results_summary": "Results summary for the training sub-group",
}


def make(name: str, folder: Path = HERE) -> Path:
    document = lay_out(name, (HERE / "source" / f"{name}.md").read_text(encoding="utf-8"))
    target = folder / f"{name}.docx"
    save_document(document, target, TITLES[name], "connect-share-learn", CREATED)
    return target


def main() -> None:
    for name in TITLES:
        print(make(name).relative_to(HERE.parent.parent))


if __name__ == "__main__":
    sys.exit(main())
