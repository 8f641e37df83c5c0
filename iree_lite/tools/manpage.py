"""iree-lite(1), generated at build time from the CLI's own parser, so the
page cannot drift from the flags."""


def render():
    from argparse_manpage.manpage import Manpage
    from ..version import __version__
    from .cli import build_parser
    return str(Manpage(build_parser(), _data={
        "project_name": "iree-lite", "prog": "iree-lite", "version": __version__,
        "description": "compile and run MLIR programs, like IREE's tools"}))
