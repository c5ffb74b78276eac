"""Video export from the viewer: a dialog, then a background render with a cancellable progress dialog.

The render runs in a child process (:mod:`lunarviz.app.export_worker`) so the
window stays responsive and the second CPU core does the work; the progress
dialog reads ``FRAME k N`` lines from it. Cancel sends SIGTERM; the worker
then removes its temporary file, so no half-written video is left behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from lunarviz.errors import LunarvizError
from lunarviz.fileio import remove_stale_partials
from lunarviz.i18n import _

from .playback import CAMERAS

SIZES = {"1280 x 720 (HD)": (1280, 720), "1920 x 1080 (Full HD)": (1920, 1080), "640 x 360 (preview)": (640, 360)}


def codec_for(path: str) -> str:
    """h264 for .mp4/.mkv/.mov (prores for names ending ``.prores.mov``), png for a folder name."""
    low = path.lower()
    if low.endswith(".prores.mov"):
        return "prores"
    if low.endswith((".mp4", ".mkv", ".mov")):
        return "h264"
    if not Path(path).suffix:
        return "png"
    raise LunarvizError(f"{path}: expected a .mp4, .mkv or .mov file, or a folder name for PNG frames")


#: the "Save frame" sizes besides the 3D pane's own
FRAME_SIZES = {"1280 x 720": (1280, 720), "1920 x 1080 (Full HD)": (1920, 1080), "2560 x 1440": (2560, 1440),
               "3840 x 2160 (4K)": (3840, 2160)}


class SaveFrameDialog(QtWidgets.QDialog):
    """File, size (the pane's, or up to 3840x2160) and HUD on/off for "Save frame as PNG"."""

    def __init__(self, parent: QtWidgets.QWidget, pane_size: tuple[int, int]) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Save frame as PNG"))
        self.path_edit = QtWidgets.QLineEdit(str(Path.cwd() / "frame.png"), self)
        browse = QtWidgets.QPushButton(_("Browse…"), self)
        browse.clicked.connect(self._browse)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.size_box = QtWidgets.QComboBox(self)
        self.size_box.addItem(_("{w} x {h} (as on screen)").format(w=pane_size[0], h=pane_size[1]), None)
        for text, size in FRAME_SIZES.items():
            self.size_box.addItem(text, size)
        self.hud_check = QtWidgets.QCheckBox(_("With the HUD (title, clock, telemetry)"), self)
        self.hud_check.setChecked(True)
        form = QtWidgets.QFormLayout(self)
        form.addRow(_("File"), row)
        form.addRow(_("Size"), self.size_box)
        form.addRow("", self.hud_check)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def path(self) -> str:
        return self.path_edit.text().strip()

    def size(self) -> tuple[int, int] | None:
        return self.size_box.currentData()

    def hud(self) -> bool:
        return self.hud_check.isChecked()

    def _browse(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(self, _("Save frame as PNG"), self.path(),
                                                              _("PNG images (*.png)"))
        if path:
            self.path_edit.setText(path)

    def _accept(self) -> None:
        if not self.path().lower().endswith(".png"):
            QtWidgets.QMessageBox.warning(self, _("Save frame"),
                                          _("{path}: expected a .png file name").format(path=self.path()))
            return
        self.accept()


class VideoExportJob(QtCore.QObject):
    """One background render: ``progress(done, total)``, then ``finished(ok, message)``."""

    progress = QtCore.Signal(int, int)
    finished = QtCore.Signal(bool, str)

    def __init__(self, traj, *, out: str, parent: QtCore.QObject | None = None, **options) -> None:
        from .export_worker import write_job

        super().__init__(parent)
        self.out = str(out)
        self.done = 0
        self.total = 0
        self.cancelled = False
        self._pid = -1  # the renderer's, once started
        self._stderr = ""
        self._buffer = ""
        fd, self._job_path = tempfile.mkstemp(prefix="lunarviz-export-", suffix=".pkl")
        os.close(fd)
        write_job(self._job_path, traj, out=self.out, **options)
        self.proc = QtCore.QProcess(self)
        self.proc.setProgram(sys.executable)
        self.proc.setArguments(["-m", "lunarviz.app.export_worker", self._job_path])
        env = QtCore.QProcessEnvironment.systemEnvironment()
        env.remove("VTK_DEFAULT_OPENGL_WINDOW")  # the worker picks its own off-screen GL
        self.proc.setProcessEnvironment(env)
        self.proc.readyReadStandardOutput.connect(self._read_stdout)
        self.proc.readyReadStandardError.connect(self._read_stderr)
        self.proc.finished.connect(self._on_finished)
        self.proc.errorOccurred.connect(self._on_error)

    def start(self) -> None:
        self.proc.start()
        self._pid = int(self.proc.processId())

    def cancel(self) -> None:
        if self.proc.state() != QtCore.QProcess.ProcessState.NotRunning:
            self.cancelled = True
            self.proc.terminate()   # SIGTERM: the worker cleans up its temporary file
            if not self.proc.waitForFinished(5000):
                self.proc.kill()
                self.proc.waitForFinished(2000)

    def running(self) -> bool:
        return self.proc.state() != QtCore.QProcess.ProcessState.NotRunning

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.proc.readAllStandardOutput()).decode("utf-8", "replace")
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "FRAME":
                self.done, self.total = int(parts[1]), int(parts[2])
                self.progress.emit(self.done, self.total)
            elif len(parts) == 2 and parts[0] == "FRAMES":
                self.total = int(parts[1])
                self.progress.emit(0, self.total)

    def _read_stderr(self) -> None:
        self._stderr += bytes(self.proc.readAllStandardError()).decode("utf-8", "replace")

    def _cleanup(self) -> None:
        try:
            os.unlink(self._job_path)
        except OSError:
            pass

    def _on_error(self, err) -> None:
        if err == QtCore.QProcess.ProcessError.FailedToStart:
            self._cleanup()
            self.finished.emit(False, "could not start the renderer process")

    def _on_finished(self, code: int, _status) -> None:
        self._read_stderr()
        self._cleanup()
        if self.cancelled:
            # a worker killed before it could clean up (a slow machine) leaves its partial output
            remove_stale_partials(Path(self.out).parent, of_pid=self._pid)
            self.finished.emit(False, _("cancelled; no file was written"))
        elif code == 0:
            self.finished.emit(True, _("saved {path} ({n} frames)").format(path=self.out, n=self.total))
        else:
            lines = [ln for ln in self._stderr.strip().splitlines() if ln.strip()]
            stopped = _("the renderer stopped (exit status {code})").format(code=code)
            self.finished.emit(False, lines[-1] if lines else stopped)


class VideoExportDialog(QtWidgets.QDialog):
    """Choose file, range, speed, size and camera; render with a progress bar and Cancel."""

    def __init__(self, parent: QtWidgets.QWidget, traj, camera: str, et_s: float, *, speed: float = 10.0,
                 scenario_path=None, whatif=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Export video"))
        self.traj = traj
        self.scenario_traj = traj
        self.whatif_traj = whatif
        self.whatif_check = QtWidgets.QCheckBox(_("Render the what-if run instead of the scenario"), self)
        self.whatif_check.setVisible(whatif is not None)
        self.whatif_check.toggled.connect(
            lambda on: setattr(self, "traj", self.whatif_traj if on and self.whatif_traj is not None
                               else self.scenario_traj))
        self.job: VideoExportJob | None = None
        self.message = ""
        default_name = (Path(scenario_path).stem if scenario_path else "lunarviz") + ".mp4"
        self.path_edit = QtWidgets.QLineEdit(str(Path.cwd() / default_name), self)
        browse = QtWidgets.QPushButton(_("Browse…"), self)
        browse.clicked.connect(self._browse)
        path_row = QtWidgets.QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        from lunarviz.timebase import et_to_utc

        end = min(traj.end_et_s, et_s + 120.0)
        if end - et_s < 1.0:
            et_s = max(traj.start_et_s, end - 120.0)
        self.start_edit = QtWidgets.QLineEdit(et_to_utc(et_s, digits=1), self)
        self.end_edit = QtWidgets.QLineEdit(et_to_utc(end, digits=1), self)
        tip = _("An ISO UTC time, an event (touchdown, pdi, deorbit, earthrise...) or an offset like touchdown-120s")
        self.start_edit.setToolTip(tip)
        self.end_edit.setToolTip(tip)
        self.speed = QtWidgets.QDoubleSpinBox(self)
        self.speed.setRange(0.1, 1000.0)
        self.speed.setDecimals(1)
        self.speed.setValue(speed)
        self.speed.setSuffix(_(" x"))
        self.fps = QtWidgets.QSpinBox(self)
        self.fps.setRange(1, 120)
        self.fps.setValue(30)
        self.size_box = QtWidgets.QComboBox(self)
        for k in SIZES:
            self.size_box.addItem(k)
        self.camera_box = QtWidgets.QComboBox(self)
        for name in (*CAMERAS, "scenario"):
            self.camera_box.addItem(name)
        self.camera_box.setCurrentText(camera if camera in CAMERAS else "chase")
        self.quality_box = QtWidgets.QComboBox(self)
        self.quality_box.addItems(["draft", "high"])
        self.frames_label = QtWidgets.QLabel(self)
        for w in (self.start_edit, self.end_edit):
            w.textChanged.connect(self._update_estimate)
        self.speed.valueChanged.connect(self._update_estimate)
        self.fps.valueChanged.connect(self._update_estimate)

        form = QtWidgets.QFormLayout()
        form.addRow(_("File (.mp4, or a folder for PNGs)"), path_row)
        form.addRow(_("From"), self.start_edit)
        form.addRow(_("To"), self.end_edit)
        form.addRow(_("Speed"), self.speed)
        form.addRow(_("Frames per second"), self.fps)
        form.addRow(_("Size"), self.size_box)
        form.addRow(_("Camera"), self.camera_box)
        form.addRow(_("Detail"), self.quality_box)
        form.addRow("", self.frames_label)
        form.addRow("", self.whatif_check)

        self.progress = QtWidgets.QProgressBar(self)
        self.progress.setVisible(False)
        self.status = QtWidgets.QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.render_button = self.buttons.addButton(_("Render"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.render_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._cancel_clicked)

        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.setWindowModality(QtCore.Qt.WindowModality.NonModal)  # the window keeps playing
        self._update_estimate()

    # ------------------------------------------------------------- inputs
    def _browse(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(self, _("Video file"), self.path_edit.text(),
                                                        _("Video (*.mp4 *.mkv *.mov)"))
        if path:
            self.path_edit.setText(path)

    def _times(self) -> tuple[float, float]:
        from lunarviz.render.timespec import parse_time_spec

        t0 = parse_time_spec(self.start_edit.text(), self.traj, clamp=True)
        t1 = parse_time_spec(self.end_edit.text(), self.traj, clamp=True)
        return t0, t1

    def options(self) -> dict:
        """The ``render_video`` options of the form (raises LunarvizError on bad input)."""
        t0, t1 = self._times()
        if t1 <= t0:
            raise LunarvizError("'To' must come after 'From'")
        out = self.path_edit.text().strip()
        return {
            "out": out, "start_et_s": t0, "end_et_s": t1, "speed": float(self.speed.value()),
            "fps": float(self.fps.value()), "size": SIZES[self.size_box.currentText()],
            "camera": self.camera_box.currentText(), "codec": codec_for(out),
            "quality": self.quality_box.currentText(),
        }

    def _update_estimate(self) -> None:
        try:
            t0, t1 = self._times()
            n = self.frame_count(t0, t1)
            self.frames_label.setText(_("{n:,} frames, {s:.1f} s of video").format(n=n, s=n / self.fps.value()))
        except LunarvizError as exc:
            self.frames_label.setText(str(exc))

    def frame_count(self, t0: float, t1: float) -> int:
        """Frames the render will write: the count of :func:`lunarviz.render.video.frame_times` itself."""
        from lunarviz.render.video import frame_times

        return len(frame_times(t0, t1, float(self.fps.value()), float(self.speed.value())))

    # ------------------------------------------------------------- render
    def start(self) -> bool:
        """Start rendering in the background; False (with a message) if the inputs are wrong."""
        if self.job is not None and self.job.running():
            return False
        try:
            opts = self.options()
            from lunarviz.render.video import check_output
            check_output(opts["out"], opts["codec"], opts["size"])
        except LunarvizError as exc:
            self.status.setText(f"<span style='color:#c33'>{exc}</span>")
            return False
        out = opts.pop("out")
        self.job = VideoExportJob(self.traj, out=out, parent=self, **opts)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(_("Rendering in the background — the window stays usable."))
        self.render_button.setEnabled(False)
        self.job.start()
        return True

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(_("frame %v of %m"))

    def _on_finished(self, ok: bool, message: str) -> None:
        self.message = message
        self.render_button.setEnabled(True)
        color = "#3a3" if ok else "#c33"
        self.status.setText(f"<span style='color:{color}'>{message}</span>")
        if ok:
            self.progress.setValue(self.progress.maximum())
        parent = self.parent()
        if parent is not None and hasattr(parent, "statusBar"):
            parent.statusBar().showMessage(_("Video export: {message}").format(message=message), 10000)

    def _cancel_clicked(self) -> None:
        if self.job is not None and self.job.running():
            self.cancel()
        else:
            self.reject()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def closeEvent(self, ev) -> None:
        self.cancel()
        super().closeEvent(ev)
