"""The ``yt`` frame: help, version, exit statuses, every command registered."""

import subprocess
import sys

import pytest

from youthtransitions.cli import COMMANDS, build_parser, main


def test_every_command_is_registered():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == COMMANDS


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_unknown_option_exits_2_without_traceback(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["describe", "--no-such-option"])
    assert stop.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "youthtransitions", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("yt ")


def test_broken_pipe_is_quiet():
    code = ("import sys\n"
            "import youthtransitions.cli.describe as d\n"
            "def flood(args):\n"
            "    for i in range(200000):\n"
            "        print('line', i)\n"
            "    return 0\n"
            "d.run = flood\n"
            "from youthtransitions.cli import main\n"
            "sys.exit(main(['describe']))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away at once
    err = proc.stderr.read().decode()
    assert proc.wait() == 1
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_building_the_parser_stays_light():
    """`yt --help` must not pay for pandas: the commands import it when they run."""
    code = ("import sys; from youthtransitions.cli import build_parser; build_parser(); "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
