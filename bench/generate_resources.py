"""Generate a large, realistic library for benchmarks and import it.

``python bench/generate_resources.py --count 10000 --csv /tmp/resources.csv``
writes a CSV in the import format, built by recombining the 48 real sample
resources (titles, publishers, topics, populations, summaries), and with
``--import`` runs ``manage.py import_resources --publish`` on it, timing it.

As a bench setup hook (``bench/run.py --setup bench.generate_resources:ensure_10k``)
it fills the library up to 10,000 resources unless it already holds them.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "knowledge" / "data" / "sample_resources.csv"
COLUMNS = [
    "id",
    "title",
    "publisher",
    "year",
    "resource_type",
    "topics",
    "populations",
    "evidence_level",
    "url",
    "summary",
]
LANGUAGES = ["en"] * 8 + ["es", "zh", "vi"]
QUALIFIERS = [
    "for rural CMHCs",
    "for community clinics",
    "in practice",
    "a field guide",
    "lessons from the field",
    "implementation notes",
    "for peer-run programs",
    "for youth services",
    "for crisis teams",
    "for CCBHC leaders",
]


def generate(count, path, seed=2026):
    rng = random.Random(seed)
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        samples = list(csv.DictReader(handle))
    all_topics = sorted({t for row in samples for t in row["topics"].split(";") if t})
    all_populations = sorted({p for row in samples for p in row["populations"].split(";") if p})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS + ["language"])
        for n in range(count):
            base = samples[n % len(samples)]
            topics = set(base["topics"].split(";")) | set(rng.sample(all_topics, rng.randint(0, 2)))
            populations = set(filter(None, base["populations"].split(";")))
            if rng.random() < 0.3:
                populations |= set(rng.sample(all_populations, 1))
            writer.writerow(
                [
                    f"gen{n:05d}",
                    f"{base['title']}: {rng.choice(QUALIFIERS)} ({n})",
                    base["publisher"],
                    rng.randint(2005, 2026),
                    base["resource_type"],
                    ";".join(sorted(t for t in topics if t)),
                    ";".join(sorted(populations)),
                    base["evidence_level"],
                    f"{base['url'].rstrip('/')}/?copy={n}",
                    base["summary"],
                    rng.choice(LANGUAGES),
                ]
            )
    return path


def import_file(path, env=None):
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_resources", str(path), "--publish", "-v2"],
        cwd=ROOT,
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"import failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout.strip()


def ensure(count):
    """Top the library up to ``count`` generated resources, importing them in
    files of 10,000 rows."""
    from django.core.management import call_command

    from knowledge.models import ResourcePage

    have = ResourcePage.objects.filter(external_id__startswith="gen").count()
    if have >= count:
        print(f"library already holds {count:,} generated resources")
        return
    # Generated ids run from gen00001 up: each batch is the next slice of a
    # file of ``count`` rows, so a top-up never repeats an id.
    with tempfile.TemporaryDirectory() as folder:
        path = generate(count, Path(folder) / "all.csv")
        rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header, body = rows[0], rows[1:]
        for start in range(have, count, 10_000):
            batch = Path(folder) / f"batch-{start}.csv"
            batch.write_text(header + "".join(body[start : start + 10_000]), encoding="utf-8")
            started = time.perf_counter()
            call_command("import_resources", str(batch), "--publish")
            elapsed = time.perf_counter() - started
            print(f"imported rows {start + 1:,}-{min(start + 10_000, count):,} in {elapsed:.1f} s")


def ensure_10k():
    """Setup hook: top the library up to 10,000 generated resources."""
    ensure(10_000)


def ensure_100k():
    """Setup hook: top the library up to 100,000 generated resources (the
    search benchmark's growth run)."""
    ensure(100_000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--csv", type=Path, default=None, help="where to write the CSV (default: a temp file)"
    )
    parser.add_argument(
        "--import", dest="do_import", action="store_true", help="import it and time the import"
    )
    args = parser.parse_args()
    path = args.csv or Path(tempfile.mkdtemp()) / "resources.csv"
    generate(args.count, path)
    print(f"wrote {args.count} rows to {path}")
    if args.do_import:
        elapsed, output = import_file(path)
        print(output)
        print(f"import_resources: {args.count} rows in {elapsed:.1f} s ({args.count / elapsed:.0f} rows/s)")
        elapsed, output = import_file(path)
        print(output)
        print(f"re-import of the same file: {elapsed:.1f} s")


if __name__ == "__main__":
    main()
