"""The embedded redis-server that `summarizer serve` runs (its data folder is private whatever the
umask, and two servers never share one), and how a process reaches a Redis that has a password."""

import os
import stat
import subprocess

import pytest
import redis

from summarizer.config import Settings
from summarizer.errors import ServiceUnavailable
from summarizer.queue.connection import connect
from summarizer.queue.redis_embed import EmbeddedRedis, make_private, redis_server_binary
from tests.conftest import wait_for


def modes(folder):
    """{path relative to folder: permission bits} of the folder and everything in it."""
    paths = [folder, *folder.rglob("*")]
    return {str(p.relative_to(folder)): stat.S_IMODE(os.lstat(p).st_mode) for p in paths}


def test_data_folder_is_private_whatever_the_umask(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir(mode=0o755)
    (folder / "redis.log").write_text("left by an earlier version\n")
    os.chmod(folder, 0o755)
    os.chmod(folder / "redis.log", 0o644)
    previous = os.umask(0o022)
    try:
        server = EmbeddedRedis(folder).start()
    finally:
        os.umask(previous)
    try:
        client = redis.Redis(unix_socket_path=server.socket_path)
        client.set("document", "a confidential memo")
        client.bgrewriteaof()  # the rewrite makes a new AOF file: born private too
        wait_for(lambda: client.info("persistence")["aof_rewrite_in_progress"] == 0
                 and client.info("persistence")["aof_rewrite_scheduled"] == 0, 30, "the rewrite")
        found = modes(folder)
        assert "appendonly.aof" in found and "redis.log" in found
        readable = {path: oct(mode) for path, mode in found.items() if mode & 0o077}
        assert not readable, f"group/other can reach {readable}"
    finally:
        server.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_of_another_user_is_refused(tmp_path):
    folder = tmp_path / "theirs"
    folder.mkdir()
    os.chown(folder, 12345, 12345)
    with pytest.raises(ServiceUnavailable) as caught:
        make_private(folder)
    assert caught.value.code == "data_dir_not_owned"


def test_two_servers_never_share_a_data_folder(tmp_path):
    first = EmbeddedRedis(tmp_path / "redis", appendonly=False).start()
    try:
        redis.Redis(unix_socket_path=first.socket_path).set("owner", "first")
        with pytest.raises(ServiceUnavailable) as caught:
            EmbeddedRedis(tmp_path / "redis", appendonly=False).start()
        assert caught.value.code == "data_dir_in_use"
        assert redis.Redis(unix_socket_path=first.socket_path).get("owner") == b"first"
    finally:
        first.stop()
    EmbeddedRedis(tmp_path / "redis", appendonly=False).start().stop()  # free once it stopped


def test_the_redis_password_comes_from_its_own_setting(tmp_path):
    """A Redis with requirepass, as compose and deploy/k8s now run it."""
    socket_path = tmp_path / "auth.sock"
    server = subprocess.Popen([redis_server_binary(), "--port", "0", "--unixsocket", str(socket_path),
                               "--requirepass", "s3cret", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        wait_for(socket_path.exists, 10, "redis-server")
        url = f"unix://{socket_path}"
        with pytest.raises(redis.AuthenticationError):
            connect(Settings.from_mapping({"redis_url": url})).ping()
        assert connect(Settings.from_mapping({"redis_url": url, "redis_password": "s3cret"})).ping()
    finally:
        server.terminate()
        server.wait()
