"""
The recon bench's peers: the same passes as Tieout's charge-reconciliation and
remittance-bank templates, written in DuckDB SQL and in pandas, from the same CSV files.

    python3 bench/recon_peers.py duckdb|pandas DIR

Prints one JSON line: wall seconds per phase, peak RSS, and writes DIR/<engine>_matches.csv
and DIR/<engine>_exceptions.csv for the bench to score. Exits 3 when the engine is missing.
"""
import json
import resource
import sys
import time

engine, data = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
phases = {}


def mark(name, since):
    phases[name] = round(time.perf_counter() - since, 3)
    return time.perf_counter()


def run_duckdb():
    import duckdb

    con = duckdb.connect()
    t = time.perf_counter()
    for name, file in [("l", "ehr_charges"), ("r", "billing_charges")]:
        con.execute(
            f"""CREATE TABLE {name} AS SELECT transaction_id, account_number, cdm_code, CAST(service_date AS DATE) service_date,
                CAST(posting_date AS DATE) posting_date, CAST(amount_cents AS BIGINT) amount_cents, performing_npi
                FROM read_csv('{data}/{file}.csv', header = true, all_varchar = true)"""
        )
    con.execute(
        f"""CREATE TABLE remits AS SELECT trace_number, payer_identifier, CAST(amount_cents AS BIGINT) amount_cents,
            CAST(payment_date AS DATE) payment_date FROM read_csv('{data}/remits.csv', header = true, all_varchar = true)"""
    )
    con.execute(
        f"""CREATE TABLE bank AS SELECT bank_transaction_id, CAST(as_of_date AS DATE) as_of_date, type_code,
            CAST(amount_cents AS BIGINT) amount_cents, text, NULLIF(reassociation_trace, '') reassociation_trace
            FROM read_csv('{data}/bank.csv', header = true, all_varchar = true, quote = '"', escape = '"')"""
    )
    t = mark("load", t)
    # charge reconciliation: exact on account, CDM, service date and amount; 1:1 in posting order
    con.execute(
        """CREATE TABLE cm AS
           WITH lr AS (SELECT *, row_number() OVER (PARTITION BY account_number, cdm_code, service_date, amount_cents ORDER BY posting_date, transaction_id) rn FROM l),
                rr AS (SELECT *, row_number() OVER (PARTITION BY account_number, cdm_code, service_date, amount_cents ORDER BY posting_date, transaction_id) rn FROM r)
           SELECT 'ehr:' || lr.transaction_id AS left_key, 'billing:' || rr.transaction_id AS right_key, date_diff('day', lr.service_date, rr.posting_date) AS lag
           FROM lr JOIN rr USING (account_number, cdm_code, service_date, amount_cents, rn)"""
    )
    con.execute("CREATE TABLE ce AS SELECT 'late-charge' reason, 'L' side, left_key k FROM cm WHERE lag > 3 UNION ALL SELECT 'late-charge', 'R', right_key FROM cm WHERE lag > 3")
    con.execute("INSERT INTO ce SELECT 'missing-in-billing', 'L', 'ehr:' || l.transaction_id FROM l ANTI JOIN cm ON cm.left_key = 'ehr:' || l.transaction_id")
    t = mark("charge-reconciliation", t)
    # remittance to bank: every TRN02 in the addenda; all ERAs of a deposit sum to it (N:1), dates −1..+3
    con.execute(
        """CREATE TABLE bt AS SELECT bank_transaction_id, as_of_date, amount_cents, unnest(regexp_extract_all(text, 'TRN\\*1\\*([^*\\\\]+)\\*', 1)) AS trace FROM bank"""
    )
    con.execute(
        """CREATE TABLE rm AS
           WITH c AS (SELECT r.trace_number, r.amount_cents era_amount, b.bank_transaction_id, b.amount_cents dep_amount FROM remits r JOIN bt b ON b.trace = r.trace_number
                      WHERE date_diff('day', r.payment_date, b.as_of_date) BETWEEN -1 AND 3),
                sums AS (SELECT bank_transaction_id, sum(era_amount) total, any_value(dep_amount) deposit FROM c GROUP BY 1)
           SELECT c.trace_number left_key, c.bank_transaction_id right_key, 'trace' pass FROM c JOIN sums USING (bank_transaction_id) WHERE sums.total = sums.deposit"""
    )
    con.execute(
        """CREATE TABLE rm2 AS
           WITH r AS (SELECT remits.* FROM remits ANTI JOIN rm ON rm.left_key = remits.trace_number),
                b AS (SELECT bt.* FROM bt ANTI JOIN rm ON rm.right_key = bt.bank_transaction_id),
                c AS (SELECT r.trace_number, r.amount_cents era_amount, b.bank_transaction_id, b.amount_cents dep_amount FROM r JOIN b ON ltrim(b.trace, '0') = ltrim(r.trace_number, '0')
                      WHERE date_diff('day', r.payment_date, b.as_of_date) BETWEEN -1 AND 3),
                sums AS (SELECT bank_transaction_id, sum(era_amount) total, any_value(dep_amount) deposit FROM c GROUP BY 1)
           SELECT c.trace_number AS left_key, c.bank_transaction_id AS right_key, 'trace-zeros' AS pass FROM c JOIN sums USING (bank_transaction_id) WHERE sums.total = sums.deposit"""
    )
    con.execute("CREATE TABLE done AS SELECT left_key, right_key FROM rm UNION ALL SELECT left_key, right_key FROM rm2")
    con.execute(
        """CREATE TABLE fee AS
           SELECT r.trace_number, b.bank_transaction_id, r.amount_cents AS era_amount, b.amount_cents AS dep_amount
           FROM (SELECT remits.* FROM remits ANTI JOIN done ON done.left_key = remits.trace_number) r
           JOIN (SELECT bt.* FROM bt ANTI JOIN done ON done.right_key = bt.bank_transaction_id) b ON b.trace = r.trace_number
           WHERE date_diff('day', r.payment_date, b.as_of_date) BETWEEN -1 AND 3"""
    )
    con.execute(
        """CREATE TABLE rm3 AS
           SELECT trace_number AS left_key, min(bank_transaction_id) AS right_key, 'net-of-fee' AS pass FROM fee
           WHERE dep_amount <= era_amount AND era_amount - dep_amount <= greatest(5000, era_amount // 100)
           GROUP BY trace_number"""
    )
    con.execute("INSERT INTO rm SELECT * FROM rm2 UNION ALL SELECT * FROM rm3")
    con.execute(
        """CREATE TABLE re AS
           SELECT 'trace-mismatch' reason, 'L' side, left_key k FROM rm WHERE pass = 'trace-zeros'
           UNION ALL SELECT 'trace-mismatch', 'R', right_key FROM rm WHERE pass = 'trace-zeros'
           UNION ALL SELECT 'net-of-fee', 'L', left_key FROM rm WHERE pass = 'net-of-fee'
           UNION ALL SELECT 'net-of-fee', 'R', right_key FROM rm WHERE pass = 'net-of-fee'
           UNION ALL SELECT 'unapplied-cash', 'R', bank.bank_transaction_id FROM bank ANTI JOIN rm ON rm.right_key = bank.bank_transaction_id
             WHERE reassociation_trace IS NOT NULL"""
    )
    t = mark("remittance-bank", t)
    con.execute(
        f"""COPY (SELECT 'charge-reconciliation' AS "template", left_key, right_key FROM cm UNION ALL SELECT 'remittance-bank', left_key, right_key FROM rm)
            TO '{data}/duckdb_matches.csv' (HEADER)"""
    )
    con.execute(
        f"""COPY (SELECT 'charge-reconciliation' AS "template", reason, side, k AS "key" FROM ce UNION ALL SELECT 'remittance-bank', reason, side, k FROM re)
            TO '{data}/duckdb_exceptions.csv' (HEADER)"""
    )
    mark("write", t)


def run_pandas():
    import numpy as np
    import pandas as pd

    t = time.perf_counter()
    dt = {"transaction_id": str, "account_number": str, "cdm_code": str, "performing_npi": str}
    l = pd.read_csv(f"{data}/ehr_charges.csv", dtype=dt, parse_dates=["service_date", "posting_date"])
    r = pd.read_csv(f"{data}/billing_charges.csv", dtype=dt, parse_dates=["service_date", "posting_date"])
    remits = pd.read_csv(f"{data}/remits.csv", dtype={"trace_number": str, "payer_identifier": str}, parse_dates=["payment_date"])
    bank = pd.read_csv(f"{data}/bank.csv", dtype={"bank_transaction_id": str, "text": str, "reassociation_trace": str, "type_code": str, "reassociation_payer_id": str}, parse_dates=["as_of_date"])
    t = mark("load", t)
    keys = ["account_number", "cdm_code", "service_date", "amount_cents"]
    for df in (l, r):
        df.sort_values(["posting_date", "transaction_id"], inplace=True)
        df["rn"] = df.groupby(keys).cumcount()
    m = l.merge(r, on=keys + ["rn"], suffixes=("_l", "_r"))
    cm = pd.DataFrame({"left_key": "ehr:" + m.transaction_id_l, "right_key": "billing:" + m.transaction_id_r, "lag": (m.posting_date_r - m.service_date).dt.days})
    late = cm[cm.lag > 3]
    missing = l.loc[~l.transaction_id.isin(m.transaction_id_l), "transaction_id"]
    ce = pd.concat(
        [
            pd.DataFrame({"reason": "late-charge", "side": "L", "key": late.left_key}),
            pd.DataFrame({"reason": "late-charge", "side": "R", "key": late.right_key}),
            pd.DataFrame({"reason": "missing-in-billing", "side": "L", "key": "ehr:" + missing}),
        ]
    )
    t = mark("charge-reconciliation", t)
    bt = bank[["bank_transaction_id", "as_of_date", "amount_cents"]].assign(trace=bank.text.fillna("").str.findall(r"TRN\*1\*([^*\\]+)\*")).explode("trace").dropna(subset=["trace"])

    def sum_pass(rem, b, lkey, rkey, name):
        c = rem.assign(k=lkey(rem)).merge(b.assign(k=rkey(b)), on="k", suffixes=("_r", "_b"))
        c = c[(c.as_of_date - c.payment_date).dt.days.between(-1, 3)]
        s = c.groupby("bank_transaction_id").agg(s=("amount_cents_r", "sum"), b=("amount_cents_b", "first"))
        ok = s.index[s.s == s.b]
        c = c[c.bank_transaction_id.isin(ok)]
        return pd.DataFrame({"left_key": c.trace_number, "right_key": c.bank_transaction_id, "pass": name})

    rm1 = sum_pass(remits, bt, lambda d: d.trace_number, lambda d: d.trace, "trace")
    r2 = remits[~remits.trace_number.isin(rm1.left_key)]
    b2 = bt[~bt.bank_transaction_id.isin(rm1.right_key)]
    rm2 = sum_pass(r2, b2, lambda d: d.trace_number.str.lstrip("0"), lambda d: d.trace.str.lstrip("0"), "trace-zeros")
    r3 = r2[~r2.trace_number.isin(rm2.left_key)]
    b3 = b2[~b2.bank_transaction_id.isin(rm2.right_key)]
    c = r3.merge(b3, left_on="trace_number", right_on="trace", suffixes=("_r", "_b"))
    diff = c.amount_cents_r - c.amount_cents_b
    c = c[(c.as_of_date - c.payment_date).dt.days.between(-1, 3) & (diff >= 0) & (diff <= np.maximum(5000, c.amount_cents_r // 100))]
    c = c.sort_values("bank_transaction_id").drop_duplicates("trace_number")
    rm3 = pd.DataFrame({"left_key": c.trace_number, "right_key": c.bank_transaction_id, "pass": "net-of-fee"})
    rm = pd.concat([rm1, rm2, rm3])
    unapplied = bank[bank.reassociation_trace.notna() & ~bank.bank_transaction_id.isin(rm.right_key)].bank_transaction_id
    re = pd.concat(
        [
            pd.DataFrame({"reason": "trace-mismatch", "side": "L", "key": rm2.left_key}),
            pd.DataFrame({"reason": "trace-mismatch", "side": "R", "key": rm2.right_key}),
            pd.DataFrame({"reason": "net-of-fee", "side": "L", "key": rm3.left_key}),
            pd.DataFrame({"reason": "net-of-fee", "side": "R", "key": rm3.right_key}),
            pd.DataFrame({"reason": "unapplied-cash", "side": "R", "key": unapplied}),
        ]
    )
    t = mark("remittance-bank", t)
    pd.concat([cm[["left_key", "right_key"]].assign(template="charge-reconciliation"), rm[["left_key", "right_key"]].assign(template="remittance-bank")])[
        ["template", "left_key", "right_key"]
    ].to_csv(f"{data}/pandas_matches.csv", index=False)
    pd.concat([ce.assign(template="charge-reconciliation"), re.assign(template="remittance-bank")])[["template", "reason", "side", "key"]].to_csv(
        f"{data}/pandas_exceptions.csv", index=False
    )
    mark("write", t)


try:
    if engine == "duckdb":
        import duckdb  # noqa: F401
    else:
        import pandas  # noqa: F401
except ImportError as e:
    print(json.dumps({"missing": str(e)}))
    sys.exit(3)

(run_duckdb if engine == "duckdb" else run_pandas)()
print(json.dumps({"engine": engine, "wallSeconds": round(time.perf_counter() - t0, 3), "phases": phases, "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
