"""Write the public ballot board of a closed assembly (DESIGN.md "gongzhi-board/1").

manage.py assembly_board 12 --out board-12.json
python -m voting.verifier board-12.json
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from voting.board_store import BoardMismatch, BoardNotReady, board_build, board_bytes
from voting.models import Assembly


class Command(BaseCommand):
    help = "Write the gongzhi-board/1 JSON of a closed assembly (canonical JSON)."

    def add_arguments(self, parser):
        parser.add_argument("assembly", type=int, help="the assembly's id")
        parser.add_argument("--out", required=True, help="file to write, or - for stdout")

    def handle(self, *args, assembly: int, out: str, **options):
        try:
            target = Assembly.objects.get(pk=assembly)
        except Assembly.DoesNotExist:
            raise CommandError(f"no assembly {assembly}") from None
        try:
            board = board_build(target)
        except BoardNotReady as exc:
            raise CommandError(f"no board yet: {exc}") from None
        except BoardMismatch as exc:
            raise CommandError(f"stored ballots do not match their chain: {exc}") from None
        data = board_bytes(board)
        if out == "-":
            self.stdout.write(data.decode("utf-8"))
            return
        Path(out).write_bytes(data)
        self.stdout.write(
            f"assembly {assembly}: {len(board['ballots'])} ballot(s), head {board['head']} → {out}"
        )
