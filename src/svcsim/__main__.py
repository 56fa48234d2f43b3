"""``python -m svcsim``: the svcsim command line."""

from svcsim.cli import main

main(prog_name="svcsim")
