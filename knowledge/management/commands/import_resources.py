from django.core.management.base import BaseCommand, CommandError

from knowledge.importer import ImportFileError, ResourceImporter


class Command(BaseCommand):
    help = (
        "Create or update resources in the library from a CSV file with the columns "
        "id,title,publisher,year,resource_type,topics,populations,evidence_level,url,summary "
        "(optional: language, body). Rows with the same id update the same resource."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file.")
        parser.add_argument("--publish", action="store_true", help="Publish the resources (default: drafts).")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8", newline="") as handle:
                importer = ResourceImporter(publish=options["publish"])
                report = importer.run(handle)
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {options['file']}") from error
        except IsADirectoryError as error:
            raise CommandError(f"{options['file']} is a folder, not a CSV file.") from error
        except ImportFileError as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        for line, reason in report.rejected:
            self.stderr.write(f"Line {line}: rejected: {reason}")
        state = "published" if options["publish"] else "as drafts"
        self.stdout.write(f"Imported {state}: {report.summary()}.")
        if options["verbosity"] > 1:
            for phase, seconds in importer.timings.items():
                self.stdout.write(f"  {phase}: {seconds:.1f} s")
