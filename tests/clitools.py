"""Running the command line in-process, for the CLI tests."""

from nodenet.cli import main


def run(argv, capsys):
    """main(argv) in-process: (status, stdout, stderr).  Any escaping exception fails the test.

    ``capsys`` is pytest's fixture; argparse's SystemExit (bad options,
    --help) becomes the status.
    """
    try:
        status = main(argv)
    except SystemExit as exit_info:
        status = exit_info.code
    out, err = capsys.readouterr()
    return status, out, err
