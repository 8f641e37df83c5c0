"""`python -m iree_lite` is the `iree-lite` command."""
import sys

from .tools.cli import main

sys.exit(main())
