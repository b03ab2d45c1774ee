"""The runner's kernel client never leaves a cell's reply waiting until the cell timeout.

nbclient waits for a cell's ``execute_reply`` in an asyncio poll of the shell socket and,
for a cell with an ``Output`` widget, sends that widget's ``comm_msg`` back on the same
socket meanwhile. jupyter_client sends through a blocking shadow of the socket, and
zeromq, sending, takes in the socket's pending signals: with jupyter_client's own shell
channel, a reply that arrived just before such a send does not wake the poll, which finds
it only at its timeout (the notebook test of ``03_query_builder`` took 122 s under load,
the cell timeout being 120 s). Here a real zeromq socket pair plays kernel and client.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelManager
from jupyter_client.session import Session

# zeromq takes in a socket's signals while sending only when this long (about a
# millisecond) has passed since it last did: wait more than that between the steps
SETTLE_SECONDS = 0.02


async def _reply_seen_after_a_send(shell_channel_class: type) -> bool:
    """Whether the client's wait for a reply ends when the reply arrives just before the
    client sends something else on the shell channel (without waiting for the timeout)."""
    context = zmq.asyncio.Context()
    session = Session()
    kernel = zmq.Context.shadow(context.underlying).socket(zmq.ROUTER)
    client = context.socket(zmq.DEALER)
    try:
        kernel.bind("inproc://shell")  # in-process: the reply is queued when sent
        client.connect("inproc://shell")
        channel = shell_channel_class(client, session)
        channel.send(session.msg("execute_request", {"code": "builder.run()"}))
        identity = kernel.recv_multipart()[0]

        waiting = asyncio.ensure_future(channel.get_msg(timeout=600))  # nbclient's wait
        for _ in range(5):
            await asyncio.sleep(0)  # the poll is registered and idle
        time.sleep(SETTLE_SECONDS)
        session.send(kernel, "execute_reply", {"status": "ok"}, ident=identity)
        time.sleep(SETTLE_SECONDS)
        # an Output widget's update, sent before the event loop ran again
        channel.send(session.msg("comm_msg", {"comm_id": "output", "data": {}}))
        for _ in range(20):
            await asyncio.sleep(0)

        seen = waiting.done()
        waiting.cancel()
        if seen:
            assert waiting.result()["msg_type"] == "execute_reply"
        return seen
    finally:
        kernel.close(linger=0)
        client.close(linger=0)
        context.term()


def test_the_runner_talks_to_kernels_through_its_own_shell_channel(runner, tmp_path: Path) -> None:
    manager = AsyncKernelManager(config=runner.kernel_config(tmp_path))

    client = manager.client()

    assert manager.transport == "ipc"
    assert isinstance(client, runner.KernelClient)
    assert client.shell_channel_class is runner.ShellChannel


def test_a_reply_arriving_just_before_a_send_ends_the_wait_for_it(runner) -> None:
    assert asyncio.run(_reply_seen_after_a_send(runner.ShellChannel))
