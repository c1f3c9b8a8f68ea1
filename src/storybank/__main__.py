"""`python -m storybank` runs the command line."""

from storybank.cli import run

run()
