"""`talent serve-ssh`: demos over SSH, one app process per visitor.

`server` accepts SSH connections (asyncssh) and admits only interactive sessions with a pty;
`session` runs one visitor's app as a child process on its own pseudo-terminal and pumps bytes
between the SSH channel and the pty; `copies` builds the demo database once and hands each
visitor a private throwaway copy; `limits` holds the limits and their flags' values;
`hostkey` keeps the server's key; `connlog` writes one line per connection.

Nothing here imports Textual or the app: a visitor's app is `python -m talent_tui` in a child
process, so one visitor's crash or heavy screen never touches another's.
"""
