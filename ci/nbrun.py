#!/usr/bin/env python3
"""Execute one notebook through a Jupyter kernel, stopping at the first failing cell.

Usage: nbrun.py NOTEBOOK OUTPUT [--kernel tslab] [--cell-timeout S] [--notebook-timeout S]

Writes the executed notebook to OUTPUT and prints one JSON object on stdout:
  {"status": "passed"|"failed", "seconds": n,
   "cells": [{"index": i, "seconds": n}, ...],          # cells that were sent to the kernel
   "failure": null | {"cell_index": i|null, "source": str|null, "reason": str, "error": str}}
Exit code 0 when passed, 1 when failed.

Why not `NotebookClient.execute()`: tslab reports errors only as stderr text (the error reply has
empty ename/evalue/traceback) and then answers every request arriving within ~200 ms with status
"abort", which nbclient does not treat as an error, so a notebook can "pass" with its tail never
run. Driving the cells here lets any non-"ok" reply stop the run, with the stderr text as the error.
"""
import argparse
import asyncio
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


class ReplyKeepingClient(NotebookClient):
    """Keeps the last execute reply for the caller instead of raising on "error" only."""

    last_reply = None

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        self.last_reply = exec_reply


class Run:
    def __init__(self, nb):
        self.nb = nb
        self.cells = []
        self.current = None
        self.failure = None

    def fail(self, index, reason, error):
        source = self.nb.cells[index].source if index is not None else None
        self.failure = {"cell_index": index, "source": source, "reason": reason, "error": error}


def stderr_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}\n")
    return "".join(parts)


def reply_error(cell, content):
    parts = [stderr_text(cell).rstrip()]
    if content.get("ename") or content.get("evalue"):
        parts.append(f"{content.get('ename', '')}: {content.get('evalue', '')}")
    return "\n".join(p for p in parts if p)


async def execute(run, client, cwd):
    # The kernel is never reused and all output is already collected when we leave, and a kernel
    # stuck in a timed-out cell would ignore a polite shutdown request for shutdown_wait_time.
    client.shutdown_kernel = "immediate"
    async with client.async_setup_kernel(cwd=cwd):
        info = await client.async_wait_for_reply(client.kc.kernel_info())
        if info and "language_info" in info["content"]:
            run.nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(run.nb.cells):
            run.current = index
            client.last_reply = None
            started = time.monotonic()
            try:
                await client.async_execute_cell(cell, index)
            except CellTimeoutError:
                run.cells.append({"index": index, "seconds": round(time.monotonic() - started, 3)})
                run.fail(index, "timeout", f"cell timed out after {client.timeout} s\n{stderr_text(cell)}".rstrip())
                return
            except DeadKernelError:
                run.cells.append({"index": index, "seconds": round(time.monotonic() - started, 3)})
                run.fail(index, "dead kernel", f"the kernel died while running this cell\n{stderr_text(cell)}".rstrip())
                return
            reply = client.last_reply
            if reply is None:  # markdown, empty or skip-tagged cell: nothing was sent
                continue
            run.cells.append({"index": index, "seconds": round(time.monotonic() - started, 3)})
            content = reply["content"]
            # nbclient numbers cells only from execute_input, which tslab sends without a count.
            cell["execution_count"] = content.get("execution_count")
            status = content.get("status")
            if status == "error":
                run.fail(index, "error", reply_error(cell, content) or "the kernel reported an error without any text")
                return
            if status != "ok":
                # tslab says "abort" (the protocol's "aborted"): the request was dropped, not run.
                run.fail(index, "aborted", f"the kernel did not run this cell (reply status {status!r})")
                return
        run.current = None


async def execute_within(run, client, cwd, seconds):
    task = asyncio.ensure_future(execute(run, client, cwd))
    try:
        await asyncio.wait_for(asyncio.shield(task), seconds)
    except asyncio.TimeoutError:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # Overrides what the cancelled cell recorded: nbclient turns the cancellation into "Kernel died".
        run.fail(run.current, "notebook timeout", f"the notebook did not finish within {seconds} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--cell-timeout", type=int, default=600)
    parser.add_argument("--notebook-timeout", type=int, default=3600)
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    run = Run(nb)
    cwd = os.path.dirname(os.path.abspath(args.notebook))
    client = ReplyKeepingClient(nb, kernel_name=args.kernel, timeout=args.cell_timeout)
    started = time.monotonic()
    try:
        asyncio.run(execute_within(run, client, cwd, args.notebook_timeout))
    except Exception as e:  # kernel failed to start, died between cells, …: still report as JSON
        run.fail(run.current, "runner", f"{type(e).__name__}: {e}")
    seconds = round(time.monotonic() - started, 3)

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    nbformat.write(nb, args.output)
    status = "failed" if run.failure else "passed"
    print(json.dumps({"status": status, "seconds": seconds, "cells": run.cells, "failure": run.failure}))
    sys.exit(1 if run.failure else 0)


if __name__ == "__main__":
    main()
