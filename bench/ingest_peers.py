"""
The ingest bench's peers, on the same files as ours (bench/ingest.bench.ts):

    python3 bench/ingest_peers.py duckdb DIR DB     # every CSV: read_csv (types inferred from every row) into a DuckDB table on disk
    /usr/bin/python3 bench/ingest_peers.py hl7 DIR  # every HL7 file: python-hl7 parses each message

Prints one JSON line: wall seconds, peak RSS, and per file its rows (CSV data rows / HL7
messages) and seconds. Exits 3 when the library is missing.
"""
import json
import os
import resource
import sys
import time

engine, data = sys.argv[1], sys.argv[2]
manifest = json.load(open(os.path.join(data, "manifest.json")))
files = [f for f in manifest["files"] if f["content"] != "message-stream"]
out = []
t0 = time.perf_counter()

if engine == "duckdb":
    try:
        import duckdb
    except ImportError:
        print(json.dumps({"missing": "duckdb"}))
        sys.exit(3)
    db = sys.argv[3]
    for suffix in ("", ".wal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    con = duckdb.connect(db)
    for i, f in enumerate(x for x in files if x["format"] == "csv"):
        t = time.perf_counter()
        path = os.path.join(data, f["path"])
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?, header = true, sample_size = -1)", [path])
        rows = con.execute(f"SELECT COUNT(*) FROM t{i}").fetchone()[0]
        out.append({"path": f["path"], "format": "csv", "rows": rows, "seconds": time.perf_counter() - t})
    con.close()
elif engine == "hl7":
    try:
        import hl7
    except ImportError:
        print(json.dumps({"missing": "hl7 (apt install python3-hl7)"}))
        sys.exit(3)
    for f in (x for x in files if x["format"] == "hl7v2"):
        t = time.perf_counter()
        path = os.path.join(data, f["path"])
        messages = 0
        segments = []

        def flush():
            global messages, segments
            if segments:
                msg = hl7.parse("\r".join(segments))
                # Touch what our mapper reads first: the control id and type.
                msg.segment("MSH")[10]
                messages += 1
            segments = []

        # Streamed line by line (CR, LF or CRLF): the file is never held whole.
        with open(path, encoding="latin-1", newline="") as fh:
            for line in fh:
                line = line.rstrip("\r\n")
                if not line:
                    continue
                tag = line[:3]
                if tag in ("FHS", "BHS", "BTS", "FTS"):
                    flush()
                elif tag == "MSH":
                    flush()
                    segments.append(line)
                else:
                    segments.append(line)
        flush()
        out.append({"path": f["path"], "format": "hl7v2", "rows": messages, "seconds": time.perf_counter() - t})
else:
    raise SystemExit(f"unknown peer {engine}")

print(json.dumps({
    "engine": engine,
    "wallSeconds": time.perf_counter() - t0,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "files": out,
}))
