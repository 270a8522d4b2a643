"""Remote operators over OpenSSH, for real (docs/ssh.md).

A real sshd on a loopback port runs the shipped configuration: the test's own
sshd_config (port, throwaway host key, authorized keys in a temporary folder, globals
as permissive as Debian's) ends in ``Include deploy/ssh/wangqian.conf``, the file an
admin installs, unchanged. The wrapper is installed where that file says
(``/usr/local/bin/wangqian-ssh``, a link to ``deploy/ssh/wangqian-ssh``) beside
``/usr/local/bin/wangqian`` (a link to this checkout's command), and a throwaway Unix
account in the group ``wangqian-ssh`` logs in with a throwaway key. The TUI is driven
through ``ssh -t`` inside tmux at 80×24, as an operator would; the same key is then
shown to get no shell, no command, no file transfer and no forwarding.

Needs root (the account, sshd), OpenSSH's server and client, and tmux. Outside CI a
missing piece skips the module and says which; with CI=true it fails instead
(``.ci/run`` installs openssh-server).
"""

from __future__ import annotations

import fcntl
import grp
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from random import Random

import pytest
from sqlalchemy import select
from test_tui_tmux_typing import Terminal

from core.identity import make_resident_id, mask_id
from storage.models import AuditEntry
from storage.settings import plain_settings
from tui.factory import open_database

ROOT = Path(__file__).resolve().parent.parent
SNIPPET = ROOT / "deploy" / "ssh" / "wangqian.conf"
WRAPPER = ROOT / "deploy" / "ssh" / "wangqian-ssh"
WANGQIAN = Path(sys.executable).with_name("wangqian")
SSHD = Path("/usr/sbin/sshd")
GROUP = "wangqian-ssh"
# Where the shipped snippet and wrapper expect things (an install from this checkout).
INSTALLED = {Path("/usr/local/bin/wangqian-ssh"): WRAPPER, Path("/usr/local/bin/wangqian"): WANGQIAN}

OPERATOR, OPERATOR_NAME, PASSWORD = "sshclerk", "张敏", "Remote2026clerk"
APPLICANT = "王小明"
APPLICANT_ID = make_resident_id(Random(7), birth_date=date(1985, 3, 9))
REFUSED_COMMAND = "本账户只能使用网签柜台界面，不能执行命令或传输文件。"
REFUSED_NO_TTY = "本账户只能在终端中使用网签柜台界面，请用 ssh -t 连接。"


def _missing() -> str | None:
    if not SSHD.exists():
        return "OpenSSH's server is not installed (apt-get install openssh-server; .ci/run does)"
    if os.geteuid() != 0:
        return "needs root: it adds a throwaway Unix account and runs sshd"
    for tool in ("ssh", "ssh-keygen", "ssh-agent", "ssh-add", "scp", "tmux", "useradd"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    for path, target in INSTALLED.items():
        if path.exists() and path.resolve() != target.resolve():
            return f"{path} is installed already (not this checkout's): the test would have to replace it"
    return None


MISSING = _missing()
IN_CI = os.environ.get("CI") == "true"
pytestmark = pytest.mark.skipif(MISSING is not None and not IN_CI, reason=str(MISSING))


def _run(*args: str | Path, env: dict[str, str] | None = None, input: str | None = None,
         check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, input=input,
                          check=check, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"sshd stopped (exit {process.returncode}):\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"sshd never listened on {port}:\n{log.read_text()}")


@dataclass
class SshHall:
    """A hall with one remote operator, and the sshd that lets them in."""

    base: Path
    user: str
    port: int
    key: Path
    db_url: str
    sshd_log: Path

    @property
    def mapping(self) -> Path:
        return self.base / "etc" / "ssh-operators"

    def map_operator(self, *options: str) -> None:
        """Write the mapping line of the throwaway account (root's file, as in /etc)."""
        self.mapping.write_text(f"# test\n{self.user}  {OPERATOR}  {' '.join(options)}\n", encoding="utf-8")
        self.mapping.chmod(0o644)

    def client_options(self) -> list[str]:
        """ssh's and scp's options: this key only, no config, no known-hosts file."""
        return ["-F", "/dev/null", "-i", str(self.key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10"]

    def ssh(self, *options: str) -> list[str]:
        """The ssh command line to the hall's account (command words go after it); ``options``
        first, since ssh keeps the first value of an option."""
        return ["ssh", *options, *self.client_options(), "-p", str(self.port), f"{self.user}@127.0.0.1"]

    def logins(self) -> list[dict]:
        """The audit log's login entries (what ``wangqian audit tail`` lists), their snapshots."""
        db = open_database(plain_settings(data_dir=self.base / "data"), url=self.db_url)
        try:
            with db.read() as session:
                rows = session.execute(select(AuditEntry).where(AuditEntry.action == "login")
                                       .order_by(AuditEntry.seq)).scalars()
                return [{"operator": r.operator, **json.loads(r.after or "{}")} for r in rows]
        finally:
            db.engine.dispose()


def _install_links() -> list[Path]:
    """/usr/local/bin/wangqian-ssh and /usr/local/bin/wangqian, as docs/ssh.md installs them."""
    made = []
    for path, target in INSTALLED.items():
        if path.is_symlink() and path.resolve() == target.resolve():
            continue  # left by an earlier run
        path.symlink_to(target)
        made.append(path)
    return made


def _processes_of(user: str) -> list[int]:
    uid = pwd.getpwnam(user).pw_uid
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                pids.append(int(entry.name))
        except FileNotFoundError:
            pass
    return pids


def _tui_environment(user: str) -> dict[str, str]:
    """The environment the account's `wangqian tui --ssh` process was started with."""
    for pid in _processes_of(user):
        try:
            if b"\0tui\0--ssh\0" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                return dict(p.decode().split("=", 1) for p in pairs if p)
        except FileNotFoundError:
            pass
    raise AssertionError("no `wangqian tui --ssh` process")


def _remove_account(user: str) -> None:
    """The sessions the test opened end when their clients do; wait for that, end what
    is left of them (by process id: they are this test's), then remove the account."""
    deadline = time.monotonic() + 10
    while (pids := _processes_of(user)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    _run("userdel", "--remove", user, check=False)


def _stop(sshd: subprocess.Popen) -> None:
    sshd.terminate()
    sshd.wait(timeout=10)


@pytest.fixture(scope="module")
def hall_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hall's data folder, made once by the commands an admin types: the schema, the
    remote operator (with their password), one applicant to look up."""
    if MISSING is not None:
        pytest.fail(f"CI=true, and the SSH tests cannot run: {MISSING}")
    data = tmp_path_factory.mktemp("hall") / "data"
    data.mkdir()
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(data.parent),
           "WANGQIAN_DB_URL": f"sqlite:///{data / 'wangqian.db'}", "WANGQIAN_DATA_DIR": str(data)}
    _run(WANGQIAN, "db", "upgrade", env=env)
    _run(WANGQIAN, "operator", "add", OPERATOR, "--name", OPERATOR_NAME, "--role", "clerk", "--window", "03",
         "--password-stdin", env=env, input=PASSWORD + "\n")
    _run(WANGQIAN, "party", "add-person", "--name", APPLICANT, "--number", APPLICANT_ID,
         "--phone", "13812345678", env=env)
    return data


@pytest.fixture
def hall(hall_data: Path, tmp_path: Path) -> Iterator[SshHall]:
    # One hall at a time on this machine: the links in /usr/local/bin and the group are
    # shared. Whatever is made is undone, in reverse order, however the test ends.
    with open("/tmp/wangqian-ssh-tests.lock", "w") as lock, ExitStack() as undo:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The throwaway account runs this checkout's wangqian: every folder above it (a CI
        # checkout may lie under /root) is made passable for the test, as it was afterwards.
        for place in (ROOT, Path(sys.executable).resolve()):
            for folder in place.parents:
                mode = folder.stat().st_mode
                if not mode & 0o001:
                    folder.chmod(mode | 0o001)
                    undo.callback(folder.chmod, mode)
        for path in _install_links():
            undo.callback(path.unlink, missing_ok=True)
        try:
            grp.getgrnam(GROUP)
        except KeyError:
            _run("groupadd", "--system", GROUP)
            undo.callback(_run, "groupdel", GROUP, check=False)
        # Not under tmp_path: the account must reach its home, the database and the mapping.
        base = Path(tempfile.mkdtemp(prefix="wangqian-ssh-", dir="/tmp"))
        undo.callback(shutil.rmtree, base, ignore_errors=True)
        base.chmod(0o755)
        # A throwaway account: /bin/sh runs the forced command; '*' is no password, not a
        # locked account (sshd without PAM refuses locked ones even with a key).
        user = "wqssh" + uuid.uuid4().hex[:8]
        _run("useradd", "--create-home", "--home-dir", base / "home", "--shell", "/bin/sh",
             "--groups", GROUP, "--password", "*", user)
        undo.callback(_remove_account, user)
        key = tmp_path / "operator_key"
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "wangqian test operator", "-f", key)
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", base / "host_key")
        (base / "authorized_keys").mkdir(mode=0o755)
        (base / "authorized_keys" / user).write_text(Path(f"{key}.pub").read_text())
        (base / "authorized_keys" / user).chmod(0o644)
        (base / "etc").mkdir(mode=0o755)

        # The hall's data folder, a copy of the module's, given to the account.
        data = base / "data"
        shutil.copytree(hall_data, data)
        db_url = f"sqlite:///{data / 'wangqian.db'}"
        _run("chown", "-R", f"{user}:{user}", data)

        port = _free_port()
        settings = " ".join(f"{k}={v}" for k, v in {
            "WANGQIAN_DB_URL": db_url, "WANGQIAN_DATA_DIR": data,
            "WANGQIAN_SSH_OPERATORS": base / "etc" / "ssh-operators",
            "WANGQIAN_IDLE_LOCK_SECONDS": 3600}.items())
        config = base / "sshd_config"
        config.write_text(f"""\
# The test's sshd: its own port, keys and files; forwarding and X11 allowed globally
# (as Debian's sshd_config allows X11), so that what refuses them is the shipped snippet.
Port {port}
ListenAddress 127.0.0.1
HostKey {base / 'host_key'}
PidFile {base / 'sshd.pid'}
AuthorizedKeysFile {base / 'authorized_keys'}/%u
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers {user}
LogLevel DEBUG1
AcceptEnv LANG LC_*
AllowTcpForwarding yes
AllowAgentForwarding yes
X11Forwarding yes
PermitUserRC yes
Subsystem sftp /usr/lib/openssh/sftp-server
SetEnv {settings}
Include {SNIPPET}
""")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        sshd_log = base / "sshd.log"
        with open(sshd_log, "w") as log:
            sshd = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=log)
        undo.callback(_stop, sshd)
        _wait_for_port(port, sshd, sshd_log)
        hall = SshHall(base, user, port, key, db_url, sshd_log)
        hall.map_operator()
        yield hall


def _ssh_terminal(hall: SshHall, tmp_path: Path) -> Terminal:
    """``ssh -t`` in tmux at 80×24: the operator's own terminal. It also sends LC_ALL
    (sshd accepts LC_*, as Debian's does), which the wrapper must not pass on."""
    return Terminal(" ".join(hall.ssh("-t", "-o", "SendEnv=LC_ALL")), {"LC_ALL": "C.UTF-8"}, tmp_path / "ssh.log")


def _ended(term: Terminal, within: float = 15) -> str:
    """Wait for the ssh client to end; what it said when it did."""
    deadline = time.monotonic() + within
    while not term.log.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the ssh session never ended:\n{term.screen()}")
        time.sleep(0.1)
    return term.log.read_text()


def test_an_operator_logs_in_through_ssh_and_looks_up_an_applicant(hall: SshHall, tmp_path: Path) -> None:
    term = _ssh_terminal(hall, tmp_path)
    try:
        term.expect("操作员登录")
        term.expect(f"SSH 远程登录（系统账户 {hall.user}）")
        # The user name is the mapping's, filled in (waited for: over SSH a frame can reach the
        # terminal in more than one write, and tmux may show it half drawn).
        term.expect(OPERATOR)
        login = term.screen()
        # The TUI runs in the wrapper's clean environment: the hall's settings, nothing the client sent.
        assert set(_tui_environment(hall.user)) == {
            "HOME", "USER", "LOGNAME", "PATH", "TERM", "LANG", "TEXTUAL_COLOR_SYSTEM", "WANGQIAN_DB_URL",
            "WANGQIAN_DATA_DIR", "WANGQIAN_SSH_OPERATORS", "WANGQIAN_IDLE_LOCK_SECONDS"}
        term.type([*PASSWORD])
        term.key("Enter")
        term.expect(f"{OPERATOR_NAME} · 窗口受理员 · 03号窗口")
        desk = term.screen()
        term.key("1")
        term.expect("可输入：身份证号")
        term.type([*APPLICANT])
        term.expect(mask_id(APPLICANT_ID))
        lookup = term.screen()
        term.key("C-q")
        ended = _ended(term)
    finally:
        last = term.screen()
        term.close()
    (tmp_path / "screens.txt").write_text("\n\n".join((login, desk, lookup, last)))
    assert "申请人查询" in lookup and APPLICANT in lookup, lookup
    assert APPLICANT_ID not in lookup, lookup  # numbers stay masked over SSH too
    assert "退出码 0" in ended, last
    assert hall.logins() == [{"operator": OPERATOR, "ssh_user": hall.user}]


def test_a_mapping_without_password_logs_in_with_the_key_alone(hall: SshHall, tmp_path: Path) -> None:
    hall.map_operator("nopassword")
    term = _ssh_terminal(hall, tmp_path)
    try:
        term.expect(f"{OPERATOR_NAME} · 窗口受理员 · 03号窗口")
        desk = term.screen()
        term.key("F10")  # 退出登录: there is no form to go back to, the connection ends
        ended = _ended(term)
        last = term.screen()
    finally:
        term.close()
    assert "工作台" in desk, desk
    assert "已退出登录。" in last and "退出码 0" in ended, last
    assert hall.logins() == [{"operator": OPERATOR, "ssh_user": hall.user, "password": False}]


def test_the_same_key_gets_no_shell_no_command_and_no_file_transfer(hall: SshHall, tmp_path: Path) -> None:
    # The snippet applies to the group's members: what sshd resolves for this account.
    effective = _run(SSHD, "-T", "-f", hall.base / "sshd_config",
                     "-C", f"user={hall.user},host=localhost,addr=127.0.0.1").stdout
    for line in ("forcecommand /usr/local/bin/wangqian-ssh", "disableforwarding yes", "allowagentforwarding no",
                 "allowtcpforwarding no", "x11forwarding no", "permittunnel no", "permituserrc no",
                 "permitopen none", "permitlisten none", "authenticationmethods publickey", "permittty yes"):
        assert line in effective.splitlines(), line

    # A command, with or without a terminal, and a shell by name: refused, never run.
    for options, command in ((), ["/bin/sh", "-c", "id"]), (("-tt",), ["id"]), ((), ["bash", "-i"]):
        asked = _run(*hall.ssh(*options), *command, check=False, timeout=30)
        assert asked.returncode == 1, asked
        said = asked.stdout + asked.stderr  # on a terminal (-tt) stderr comes through the pty, as stdout
        assert REFUSED_COMMAND in said and "uid=" not in said, asked

    # No terminal: refused, with the sentence that says how to connect.
    plain = _run(*hall.ssh("-T"), check=False, timeout=30)
    assert plain.returncode == 1 and REFUSED_NO_TTY in plain.stderr, plain

    # File transfer arrives as a subsystem, so it is a command too.
    (tmp_path / "file.txt").write_text("x")
    copied = _run("scp", *hall.client_options(), "-P", str(hall.port), tmp_path / "file.txt",
                  f"{hall.user}@127.0.0.1:file.txt", check=False, timeout=30)
    assert copied.returncode != 0, copied
    assert not (hall.base / "home" / "file.txt").exists()

    # An account the mapping does not name: refused before the database is opened.
    hall.mapping.write_text("someone-else  sshclerk\n")
    unmapped = _run(*hall.ssh("-tt"), check=False, timeout=30)
    assert unmapped.returncode == 1, unmapped
    assert f"系统账户 {hall.user} 未对应任何操作员，请联系系统管理员。" in unmapped.stdout, unmapped

    # Nobody logged in to the hall through any of it.
    assert hall.logins() == []


def test_the_same_key_forwards_nothing(hall: SshHall, tmp_path: Path) -> None:
    # Remote forwarding: the server refuses to listen (had it listened, ssh -N would stay).
    try:
        remote = _run(*hall.ssh("-N", "-R", "0:127.0.0.1:9", "-o", "ExitOnForwardFailure=yes"), check=False,
                      timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("remote forwarding was accepted: ssh -N -R stayed connected")
    assert remote.returncode == 255 and "remote port forwarding failed" in remote.stderr, remote

    # Local forwarding: the tunnel's end is refused by the server; nothing comes through
    # (through it the test's own sshd would answer with its banner).
    local_port = _free_port()
    tunnel = subprocess.Popen(hall.ssh("-N", "-L", f"{local_port}:127.0.0.1:{hall.port}", "-o", "LogLevel=INFO"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_port(local_port, tunnel, Path("/dev/null"))
        with socket.create_connection(("127.0.0.1", local_port), timeout=5) as through:
            through.settimeout(5)
            try:
                answer = through.recv(100)
            except (TimeoutError, ConnectionResetError):
                answer = b""
        assert not answer.startswith(b"SSH-"), answer
    finally:
        tunnel.terminate()
        try:
            _, said = tunnel.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # the client did not end on SIGTERM (once, on a busy machine)
            tunnel.kill()
            _, said = tunnel.communicate(timeout=10)
    assert "administratively prohibited" in said, said

    # X11: the client asks, the server says no.
    x11 = _run(*hall.ssh("-X", "-T"), env={**os.environ, "DISPLAY": "127.0.0.1:99"}, check=False, timeout=30)
    assert "X11 forwarding request failed" in x11.stderr, x11

    # Agent forwarding: the client asks (it gets no answer by design); sshd refuses and says so in its log.
    agent_socket = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(agent_socket)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not agent_socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with_agent = {**os.environ, "SSH_AUTH_SOCK": str(agent_socket)}
        _run("ssh-add", "-q", hall.key, env=with_agent)
        _run(*hall.ssh("-A", "-T"), env=with_agent, check=False, timeout=30)
    finally:
        agent.terminate()
        agent.wait(timeout=10)
    assert "agent forwarding disabled" in hall.sshd_log.read_text()
