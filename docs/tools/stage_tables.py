#!/usr/bin/env python3
"""Prints the stage-to-table table of docs/ARCHITECTURE.md, computed from the SQL the code runs.

It reads every .sql file under src/ (migrations excepted) and every SQL string in the .cs files, finds each
schema-qualified table that a migration creates, and counts it as written where INSERT INTO, UPDATE, DELETE FROM,
COPY, TRUNCATE, MERGE INTO or ALTER TABLE names it, and as read anywhere else (FROM, JOIN, USING, a subquery).
A file belongs to its folder: src/Crm.Pipeline/<Stage>[/<Source>], src/Crm.Dashboard, src/Crm.Worker.
It reads text, so a table name built at run time is not seen; the table says which tables no code writes.

    python3 docs/tools/stage_tables.py            # from the repository root
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "src/Crm.Pipeline/Warehouse/Migrations"
SCHEMAS = ("ops", "core", "staging", "quarantine", "ml", "identity")
CREATE = re.compile(r"create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?(\w+)\.(\w+)", re.I)
NAME = re.compile(r"\b(" + "|".join(SCHEMAS) + r")\.(\w+)\b")
WRITE = re.compile(
    r"(insert\s+into|update|delete\s+from|copy|truncate(?:\s+table)?(?:\s+\w+\.\w+\s*,)*|merge\s+into|alter\s+table)"
    r"\s+(?:only\s+)?(?:if\s+exists\s+)?$", re.I)


def tables():
    found = set()
    for path in sorted(MIGRATIONS.glob("*.sql")):
        for schema, table in CREATE.findall(path.read_text()):
            if schema in SCHEMAS:
                found.add(f"{schema}.{table}")
    return found


def owner(path):
    parts = path.relative_to(ROOT / "src").parts
    if parts[0] == "Crm.Pipeline":
        if len(parts) > 2 and parts[1] == "Sources" and len(parts) > 3:
            return f"Sources/{parts[2]}"
        return parts[1] if len(parts) > 2 else "(root)"
    return parts[0].removeprefix("Crm.")


def uses(known):
    writes, reads = {}, {}
    for path in sorted((ROOT / "src").rglob("*")):
        if path.suffix not in (".sql", ".cs") or "/obj/" in str(path) or "/bin/" in str(path) or MIGRATIONS in path.parents:
            continue
        text = re.sub(r"--[^\n]*", "", path.read_text()) if path.suffix == ".sql" else path.read_text()
        who = owner(path)
        for match in NAME.finditer(text):
            name = f"{match.group(1)}.{match.group(2)}"
            if name not in known:
                continue
            before = text[max(0, match.start() - 200):match.start()]
            target = writes if WRITE.search(before) else reads
            target.setdefault(name, set()).add(who)
    return writes, reads


def main():
    known = tables()
    writes, reads = uses(known)
    print("| table | written by | read by |")
    print("|---|---|---|")
    for name in sorted(known):
        w = sorted(writes.get(name, ()))
        r = sorted(reads.get(name, set()) - set(w))
        print(f"| `{name}` | {', '.join(w) or '— (only its migration)'} | {', '.join(r) or '—'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
