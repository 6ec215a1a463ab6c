"""`gongxiao synth`: province-scale synthetic data for the benchmarks (see gongxiao.core.synth)."""

from django.core.management.base import BaseCommand, CommandError

from gongxiao.core import synth


class Command(BaseCommand):
    help = (
        "Build deterministic province-scale data: ~11 cities, ~100 counties, ~3,000 grassroots, "
        "~1,000,000 rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--cities", type=int, default=11)
        parser.add_argument("--counties", type=int, default=100)
        parser.add_argument("--grassroots", type=int, default=30, help="per county")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--year", type=int, default=2025)

    def handle(self, *args, **o):
        if synth.exists():
            raise CommandError("This database already holds the synthetic province.")
        if o["rows"] < 1 or o["counties"] < 1 or o["cities"] < 1 or o["grassroots"] < 0:
            raise CommandError("Give positive numbers.")
        result = synth.build(
            rows=o["rows"],
            cities=min(o["cities"], o["counties"]),
            counties=o["counties"],
            grassroots=o["grassroots"],
            seed=o["seed"],
            year=o["year"],
            progress=lambda msg: self.stdout.write(f"  {msg}"),
        )
        self.stdout.write(self.style.SUCCESS(f"Synthetic province built: {result.summary()}"))
