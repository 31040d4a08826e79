"""`python -m talent_tui` is the same as the `talent` command."""

from talent_tui.cli import main

main()
