"""`lunarviz view` ends cleanly on SIGTERM (issue #16): the window closes as if the user had closed it."""

from __future__ import annotations

import os
import signal

from lunarviz.app import main as app_main
from lunarviz.cli import main


def test_sigterm_leaves_the_event_loop_and_restores_the_handler(qapp):
    from PySide6 import QtCore

    before = signal.getsignal(signal.SIGTERM)
    loop = QtCore.QEventLoop()
    restore = app_main.quit_on_sigterm(loop)
    QtCore.QTimer.singleShot(50, lambda: os.kill(os.getpid(), signal.SIGTERM))
    guard = QtCore.QTimer()
    guard.setSingleShot(True)
    hung = []
    guard.timeout.connect(lambda: (hung.append(True), loop.quit()))
    guard.start(20000)  # a hang guard only: the signal ends the loop long before
    loop.exec()
    guard.stop()
    restore()
    assert not hung
    assert signal.getsignal(signal.SIGTERM) is before


def test_view_exits_0_on_sigterm(qapp, monkeypatch, capsys):
    from PySide6 import QtCore

    real = app_main.quit_on_sigterm

    def installed_then_killed(loop):
        restore = real(loop)
        QtCore.QTimer.singleShot(200, lambda: os.kill(os.getpid(), signal.SIGTERM))
        return restore

    monkeypatch.setattr(app_main, "quit_on_sigterm", installed_then_killed)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["view", "resilience", "--quit-after", "600"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    assert "error" not in capsys.readouterr().err
