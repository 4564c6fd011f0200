"""Reading what users give the toolkit: untrusted .xlsx packages (``ooxml``), through one guard."""
