"""`wangqian bench …`: the performance benchmarks, as JSON for the record.

Each calls its measurement in the ``bench`` package (which no use case
imports). Bad sizes exit 2 with one Chinese sentence; progress goes to
stderr so ``--json`` on stdout stays clean.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from typing import Annotated

import typer
from rich.table import Table

from tui.cli.helpers import (
    bad_input,
    database,
    err,
    out,
    progress,
    refusals,
    settings,
    system_actor,
)

bench_app = typer.Typer(help="性能基准（JSON 输出）。", no_args_is_help=True)

DB_URL_HELP = "在此 PostgreSQL 服务器上建立临时数据库（默认：配置的数据库；SQLite 时用临时文件）。"


def check_db_url(db_url: str | None) -> None:
    """Refuse a ``--db-url`` that is neither a PostgreSQL server nor SQLite (exit 2)."""
    if db_url is not None and not db_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite")):
        raise bad_input("BENCH_BAD_DB_URL", "--db-url 须是 PostgreSQL 服务器地址（postgresql://用户:密码@主机/库）或 sqlite。")


#: The lookup benchmark's sizes: ten times the hall it is measured for (a million applicants),
#: and enough samples for a p99 (a zero or negative size measured nothing and printed zeros).
MAX_LOOKUP_PERSONS = 10_000_000
MAX_LOOKUP_SAMPLES = 100_000


@bench_app.command("lookup")
@refusals
def bench_lookup(
    persons: Annotated[int, typer.Option("--persons", help="合成申请人数量（不足时补足）。")] = 1_000_000,
    samples: Annotated[int, typer.Option("--samples", help="每种查询的次数。")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """申请人查询基准：各查询类型的 p50/p95/p99（毫秒）。"""
    if not 1 <= persons <= MAX_LOOKUP_PERSONS or not 1 <= samples <= MAX_LOOKUP_SAMPLES:
        raise bad_input("BENCH_BAD_SIZE", f"申请人数只能是 1 到 {MAX_LOOKUP_PERSONS}，"
                                          f"查询次数只能是 1 到 {MAX_LOOKUP_SAMPLES}。")
    from rich.progress import Progress

    from bench import lookup

    db = database()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("准备数据 / 测量", total=None)
        report = lookup.lookup_latency(db, system_actor(), persons=persons, samples=samples,
                              progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    table = Table("查询类型", "次数", "p50 ms", "p95 ms", "p99 ms")
    for kind, row in report["kinds"].items():
        table.add_row(kind, str(row["n"]), f"{row['p50_ms']:.2f}", f"{row['p95_ms']:.2f}", f"{row['p99_ms']:.2f}")
    out.print(f"数据库：{report['database']}，申请人 {report['persons']} 人")
    out.print(table)


#: The phases of a round run as bench.allocation.PHASES names them.
_RUN_PHASE_LABELS = {"lock": "锁定场次", "load": "读取", "resolve": "分配", "results": "写结果", "houses": "房源选定",
                     "families": "家庭状态", "journal": "选房日志", "publish_audit_commit": "公布、审计、提交"}


@bench_app.command("allocation")
@refusals
def bench_allocation(
    families: Annotated[int, typer.Option("--families", help="选房家庭数。")] = 100_000,
    houses: Annotated[int, typer.Option("--houses", help="房源数。")] = 30_000,
    list_len: Annotated[int, typer.Option("--list-len", help="每个家庭的正选意向数。")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="随机种子。")] = 1,
    repeat: Annotated[int, typer.Option("--repeat", help="每种运行的次数（1 到 3，取最好成绩）。")] = 1,
    db_url: Annotated[str | None, typer.Option(
        "--db-url", help="在此 PostgreSQL 服务器上建立临时数据库测量（默认：配置的数据库是 PostgreSQL 时用它的服务器）。")] = None,
    database: Annotated[str | None, typer.Option(
        "--database", help="测量哪种数据库：sqlite、postgresql 或 both（默认：有 PostgreSQL 服务器时两者都测，否则只测 SQLite）。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """选房基准：在临时数据库中生成场次，比较端到端运行与裸驱动基线（sqlite3 / psycopg）的耗时。"""
    if families < 1 or houses < 1 or not 0 <= list_len <= houses:
        raise bad_input("BENCH_BAD_SIZE", "家庭数和房源数须为正整数，意向数不能超过房源数。")
    if not 1 <= repeat <= 3:
        raise bad_input("BENCH_BAD_REPEAT", "运行次数只能是 1 到 3。")
    if db_url is not None and not db_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise bad_input("BENCH_BAD_DB_URL", "--db-url 须是 PostgreSQL 服务器地址（postgresql://用户:密码@主机/库）。")
    configured = settings().db_url
    server = db_url if db_url is not None else (
        configured if configured and configured.startswith(("postgresql", "postgres://")) else None)
    choices = {"sqlite": ("sqlite",), "postgresql": ("postgresql",), "both": ("sqlite", "postgresql")}
    if database is not None and database not in choices:
        raise bad_input("BENCH_BAD_DATABASE", "--database 只能是 sqlite、postgresql 或 both。")
    databases = choices[database] if database is not None else choices["both" if server else "sqlite"]
    if "postgresql" in databases and server is None:
        raise bad_input("BENCH_BAD_DB_URL", "测量 PostgreSQL 须用 --db-url 指定服务器，或配置 PostgreSQL 数据库。")
    from bench import allocation

    with progress() as bar:
        task = bar.add_task("准备", total=None)
        report = allocation.allocation_round(
            settings(), families=families, houses=houses, list_len=list_len, seed=seed, repeat=repeat,
            databases=databases, db_url=server,
            progress=lambda done, total, what: bar.update(task, completed=done, total=total, description=what))
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(f"家庭 {report['families']} 户，房源 {report['houses']} 套，意向 {report['wishes']} 条"
              f"（每户 {report['list_len']} 条）；负载 {report['load_average_before']}", highlight=False)
    for kind in report["databases"]:
        found = report[kind]
        name = "SQLite（临时文件）" if kind == "sqlite" else "PostgreSQL（临时数据库，无统计信息）"
        table = Table("项目", "耗时（秒）", "本进程 CPU（秒）")
        table.add_row("生成数据", f"{found['generate_s']:.3f}", "")
        table.add_row("基线（裸驱动：读取、分配、写结果）", f"{found['baseline_s']:.3f}", f"{found['baseline_cpu_s']:.3f}")
        table.add_row("端到端（run_round：含房源、家庭状态、日志、审计）", f"{found['end_to_end_s']:.3f}",
                      f"{found['end_to_end_cpu_s']:.3f}")
        for phase, wall in found["phases_s"].items():
            table.add_row(f"　其中{_RUN_PHASE_LABELS[phase]}", f"{wall:.3f}", f"{found['phases_cpu_s'][phase]:.3f}")
        out.print(name, highlight=False)
        out.print(table)
        verdict = "达标" if found["ratio"] is not None and found["ratio"] <= report["target_ratio"] else "未达标"
        agree = "一致" if found["results_agree"] else "不一致"
        out.print(f"比值（端到端 ÷ 基线）：{found['ratio']}（CPU {found['cpu_ratio']}），目标 ≤ {report['target_ratio']}，"
                  f"{verdict}；不计选房日志 {found['ratio_without_journal']}（CPU {found['cpu_ratio_without_journal']}）；"
                  f"两者结果{agree}。", highlight=False)


@bench_app.command("pdf")
def bench_pdf(
    receipts: Annotated[int, typer.Option("--receipts", help="生成的受理回执份数。")] = 1000,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="批量生成回执的进程数（默认：全部可用 CPU；1 即只在本进程内逐份生成）。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """文书基准：合同 PDF 预热后的生成耗时（中位数）与批量受理回执的总耗时（单进程与多进程并行各计一次）。"""
    if receipts < 1:
        raise bad_input("BENCH_BAD_SIZE", "回执份数须为正整数。")
    if workers is not None and workers < 1:
        raise bad_input("BENCH_BAD_WORKERS", "进程数须为正整数。")
    from bench import pdf

    with err.status("生成文书中……", spinner="dots") if err.is_terminal else nullcontext():
        report = pdf.pdf_benchmark(receipts=receipts, workers=workers)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("项目", "结果", "目标", "结论")
    table.add_row(f"合同 PDF（预热后 {report['contract_runs']} 次中位数）", f"{report['contract_warm_ms']:.1f} 毫秒",
                  f"≤ {report['contract_target_ms']} 毫秒", "达标" if report["contract_ok"] else "未达标")
    table.add_row(f"受理回执 {report['receipts']} 份（单进程逐份）", f"{report['receipts_single_s']:.2f} 秒",
                  f"≤ {report['receipts_target_s']} 秒", "达标" if report["receipts_single_ok"] else "未达标")
    if report["receipts_workers"] > 1:
        table.add_row(f"受理回执 {report['receipts']} 份（{report['receipts_workers']} 个进程并行，"
                      f"本机可用 CPU {report['usable_cpus']} 个）", f"{report['receipts_s']:.2f} 秒",
                      f"≤ {report['receipts_target_s']} 秒", "达标" if report["receipts_ok"] else "未达标")
    out.print(table)


@bench_app.command("start")
@refusals
def bench_start(
    runs: Annotated[int, typer.Option("--runs", help="测量的启动次数（1 到 20，取中位数）。")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """启动基准：在新的解释器中运行 wangqian demo --check，测量第二次启动到登录界面显示的用时（含解释器启动与导入）。"""
    if not 1 <= runs <= 20:
        raise bad_input("BENCH_BAD_RUNS", "启动次数只能是 1 到 20。")
    from bench import start

    with progress() as bar:
        task = bar.add_task("准备", total=runs + 1)
        report = start.start_times(
            runs, progress=lambda done, total, what: bar.update(task, completed=done, total=total, description=what))
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    verdict = "达标" if report["within_target"] else "未达标"
    out.print(f"第二次启动到登录界面：中位数 {report['median_s']:.2f} 秒（{runs} 次，"
              f"{report['min_s']:.2f}–{report['max_s']:.2f} 秒；目标 ≤ {report['target_s']} 秒，{verdict}）。"
              f"第一次运行（准备演示数据库）{report['prepare_s']:.2f} 秒；负载 {report['load_average']}。",
              highlight=False)


@bench_app.command("form")
@refusals
def bench_form(
    parties: Annotated[int, typer.Option("--parties", help="合同当事人数（1 位出卖人加若干买受人，2 到 8）。")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """录入基准：在临时演示数据库上打开签订买卖合同表单，逐键录入各买受人的姓名、证件号码和电话，
    报告按键到屏幕更新的延迟（p50/p95/最大，毫秒）和一次粘贴 600 字的用时。"""
    if not 2 <= parties <= 8:
        raise bad_input("BENCH_BAD_PARTIES", "当事人数只能是 2 到 8。")
    from bench import form

    with progress() as bar:
        task = bar.add_task("准备", total=None)
        report = form.form_latency(parties=parties, progress=lambda what: bar.update(task, description=what))
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("项目", "结果", "目标", "结论")
    table.add_row(f"按键延迟 p50（{report['keys']} 键）", f"{report['p50_ms']:.1f} 毫秒", "", "")
    table.add_row("按键延迟 p95", f"{report['p95_ms']:.1f} 毫秒", f"≤ {report['target_p95_ms']:.0f} 毫秒",
                  "达标" if report["p95_ok"] else "未达标")
    table.add_row("按键延迟最大", f"{report['max_ms']:.1f} 毫秒", "", "")
    table.add_row(f"粘贴 {report['paste_chars']} 字", f"{report['paste_ms']:.1f} 毫秒",
                  f"≤ {report['target_paste_ms']:.0f} 毫秒", "达标" if report["paste_ok"] else "未达标")
    table.add_row("各栏内容与录入一致", "是" if report["fields_exact"] else "否：" + "、".join(report["mismatches"]),
                  "是", "达标" if report["fields_exact"] else "未达标")
    out.print(f"签订买卖合同表单，80×24，当事人 {report['parties']} 位", highlight=False)
    out.print(table)


@bench_app.command("signing")
@refusals
def bench_signing(
    clerks: Annotated[int, typer.Option("--clerks", help="同时办理签约的窗口受理员人数（1 到 256）。")] = 32,
    contracts: Annotated[int | None, typer.Option(
        "--contracts", help="签约的合同总数（默认每位受理员 20 份；不少于受理员人数）。")] = None,
    verifications: Annotated[int | None, typer.Option(
        "--verifications", help="单独测量的验证码核验次数（默认每位受理员 50 次；不少于受理员人数）。")] = None,
    processes: Annotated[int | None, typer.Option(
        "--processes", help="承载受理员的进程数（默认：全部可用 CPU，且每个进程不超过 8 位受理员）。")] = None,
    db_url: Annotated[str | None, typer.Option("--db-url", help=DB_URL_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """签约基准：多位受理员同时办理完整签约（房源核验、合同录入、购房资格审查、双方短信验证、提交），
    报告每秒签约份数与每秒验证码核验次数，在临时数据库中进行，结束后删除。"""
    if not 1 <= clerks <= 256:
        raise bad_input("BENCH_BAD_SIZE", "受理员人数只能是 1 到 256。")
    contracts = 20 * clerks if contracts is None else contracts
    verifications = 50 * clerks if verifications is None else verifications
    if not clerks <= contracts <= 100_000 or not clerks <= verifications <= 100_000:
        raise bad_input("BENCH_BAD_SIZE", "合同数和核验次数须不少于受理员人数，且不超过 100000。")
    if processes is not None and not 1 <= processes <= clerks:
        raise bad_input("BENCH_BAD_WORKERS", "进程数须为正整数，且不超过受理员人数。")
    check_db_url(db_url)
    from bench import signing
    from tui.cli.helpers import REFUSED_EXIT, say_refusal

    try:
        with progress() as bar:
            task = bar.add_task("准备", total=None)
            report = signing.signing_benchmark(
                settings(), clerks=clerks, contracts_total=contracts, verifications=verifications, processes=processes,
                db_url=db_url, progress=lambda done, total, what: bar.update(task, completed=done, total=total,
                                                                             description=what))
    except RuntimeError as exc:  # a worker process failed: the run has no figures
        say_refusal("BENCH_FAILED", f"签约基准未能完成：{exc}")
        raise typer.Exit(REFUSED_EXIT) from None
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("项目", "结果", "目标", "结论")
    table.add_row(f"完整签约（{report['signed']}/{report['contracts']} 份，错误 {report['signing_errors']}）",
                  f"{report['signings_per_s']} 份/秒", f"≥ {report['targets']['signings_per_s']} 份/秒",
                  "达标" if report["signings_ok"] else "未达标")
    table.add_row("一次签约 p50 / p95", f"{report['signing_p50_ms']} / {report['signing_p95_ms']} 毫秒", "", "")
    table.add_row(f"验证码核验（{report['verified']}/{report['verifications']} 次，错误 {report['verification_errors']}）",
                  f"{report['verifications_per_s']} 次/秒", f"≥ {report['targets']['verifications_per_s']} 次/秒",
                  "达标" if report["verifications_ok"] else "未达标")
    cost = report["one_signing"]
    table.add_row("单独一次签约的开销", f"{cost['statements']} 条语句，{cost['transactions']} 次提交，"
                  f"本进程 CPU {cost['client_cpu_ms']} 毫秒", "", "")
    table.add_row("审计链", f"{report['audit_rows']} 条，{'完整' if report['audit_chain_intact'] else '断裂'}", "完整",
                  "达标" if report["audit_chain_intact"] else "未达标")
    out.print(f"数据库：{'PostgreSQL' if report['database'] == 'postgresql' else 'SQLite'}（临时），受理员 {report['clerks']} 位，"
              f"进程 {report['processes']} 个，本机可用 CPU {report['cpus']} 个；目标按 PostgreSQL、"
              f"{report['targets']['clerks']} 位受理员计", highlight=False)
    out.print(table)


@bench_app.command("concurrency")
@refusals
def bench_concurrency(
    clerks: Annotated[int, typer.Option("--clerks", help="同时办理的窗口受理员人数（1 到 256）。")] = 32,
    submissions: Annotated[int | None, typer.Option(
        "--submissions", help="同时提交的合同数（默认每位受理员 20 份；事先办理到提交前一步，不计时）。")] = None,
    contracts: Annotated[int | None, typer.Option(
        "--contracts", help="完整签约的合同数（默认每位受理员 5 份）。")] = None,
    processes: Annotated[int | None, typer.Option(
        "--processes", help="承载受理员的进程数（默认：全部可用 CPU，且每个进程不超过 8 位受理员）。")] = None,
    db_url: Annotated[str | None, typer.Option(
        "--db-url", help="在此 PostgreSQL 服务器上建立临时数据库（默认：配置的数据库；SQLite 时用临时文件）。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """并发基准：所有受理员同时提交（双方已验证 → 已签约，一个事务）的每秒份数、完整签约的每秒份数，
    以及多个进程同时为同一套房源签约时只有一份成功；在临时数据库中进行，结束后删除。"""
    if not 1 <= clerks <= 256:
        raise bad_input("BENCH_BAD_SIZE", "受理员人数只能是 1 到 256。")
    submissions = 20 * clerks if submissions is None else submissions
    contracts = 5 * clerks if contracts is None else contracts
    if not clerks <= submissions <= 100_000 or not clerks <= contracts <= 100_000:
        raise bad_input("BENCH_BAD_SIZE", "提交数和合同数须不少于受理员人数，且不超过 100000。")
    if processes is not None and not 1 <= processes <= clerks:
        raise bad_input("BENCH_BAD_WORKERS", "进程数须为正整数，且不超过受理员人数。")
    if db_url is not None and not db_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite")):
        raise bad_input("BENCH_BAD_DB_URL", "--db-url 须是 PostgreSQL 服务器地址（postgresql://用户:密码@主机/库）或 sqlite。")
    from bench import signing
    from tui.cli.helpers import REFUSED_EXIT, say_refusal

    try:
        with progress() as bar:
            task = bar.add_task("准备", total=None)
            report = signing.signing_benchmark(
                settings(), clerks=clerks, contracts_total=contracts, verifications=clerks, processes=processes,
                db_url=db_url, submissions=submissions, race=clerks,
                progress=lambda done, total, what: bar.update(task, completed=done, total=total, description=what))
    except RuntimeError as exc:  # a worker process failed: the run has no figures
        say_refusal("BENCH_FAILED", f"并发基准未能完成：{exc}")
        raise typer.Exit(REFUSED_EXIT) from None
    postgres = report["database"] == "postgresql"
    targets = {"submissions_per_s": 200 if postgres else 100, "signings_per_s": 50 if postgres else None}
    result = {
        "benchmark": "concurrency", **{k: report[k] for k in (
            "database", "clerks", "processes", "cpus", "load_average_before", "load_average_after",
            "submissions", "submission_preparation_s", "submitted", "submission_errors", "submission_error_samples",
            "submissions_per_s",
            "submission_p50_ms", "submission_p95_ms", "contracts", "signed", "signing_errors", "signings_per_s",
            "signing_p50_ms", "signing_p95_ms", "single_winner", "one_signing", "audit_rows", "audit_chain_intact")},
        "targets": targets,
        "submissions_ok": (report["submissions_per_s"] or 0) >= targets["submissions_per_s"]
        and report["submission_errors"] == 0,
        "signings_ok": None if targets["signings_per_s"] is None
        else (report["signings_per_s"] or 0) >= targets["signings_per_s"] and report["signing_errors"] == 0,
        "single_winner_ok": report["single_winner"]["ok"],
    }
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    verdict = {True: "达标", False: "未达标", None: ""}
    table = Table("项目", "结果", "目标", "结论")
    table.add_row(f"同时提交（{result['submitted']}/{result['submissions']} 份，错误 {result['submission_errors']}）",
                  f"{result['submissions_per_s']} 份/秒", f"≥ {targets['submissions_per_s']} 份/秒",
                  verdict[result["submissions_ok"]])
    table.add_row(f"完整签约（{result['signed']}/{result['contracts']} 份，错误 {result['signing_errors']}）",
                  f"{result['signings_per_s']} 份/秒",
                  f"≥ {targets['signings_per_s']} 份/秒" if targets["signings_per_s"] else "", verdict[result["signings_ok"]])
    race = result["single_winner"]
    table.add_row(f"同一套房源 {race['racers']} 个进程同时签约", f"成功 {race['winners']} 份，该房源合同 "
                  f"{race['contracts_on_the_home']} 份", "只有 1 份", verdict[result["single_winner_ok"]])
    table.add_row("审计链", f"{result['audit_rows']} 条，{'完整' if result['audit_chain_intact'] else '断裂'}", "完整",
                  verdict[result["audit_chain_intact"]])
    out.print(f"数据库：{'PostgreSQL' if postgres else 'SQLite'}（临时），受理员 {result['clerks']} 位，"
              f"进程 {result['processes']} 个，本机可用 CPU {result['cpus']} 个", highlight=False)
    out.print(table)


@bench_app.command("presale")
@refusals
def bench_presale(
    runs: Annotated[int, typer.Option("--runs", help="楼盘表绘制的次数（取中位数）。")] = 7,
    db_url: Annotated[str | None, typer.Option("--db-url", help=DB_URL_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """商品房预售基准：1,000 户测绘成果导入、1,000 户预售许可审批、40 层 × 30 户楼盘表绘制（80×24），
    在临时数据库中进行，结束后删除。"""
    if not 1 <= runs <= 50:
        raise bad_input("BENCH_BAD_RUNS", "绘制次数只能是 1 到 50。")
    check_db_url(db_url)
    from bench import presale

    with err.status("测量中……", spinner="dots") if err.is_terminal else nullcontext():
        report = presale.presale_benchmark(settings(), runs=runs, db_url=db_url)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("项目", "结果", "目标", "结论")
    table.add_row("测绘成果导入 1,000 户", f"{report['survey_import_s']:.3f} 秒", f"≤ {report['survey_import_target_s']} 秒",
                  "达标" if report["survey_import_ok"] else "未达标")
    table.add_row("预售许可 1,000 户（受理至归档）", f"{report['permit_s']:.3f} 秒", f"≤ {report['permit_target_s']} 秒",
                  "达标" if report["permit_ok"] else "未达标")
    table.add_row(f"楼盘表 40 层 × 30 户绘制（80×24，{report['board_runs']} 次中位数）", f"{report['board_draw_ms']:.1f} 毫秒",
                  f"≤ {report['board_target_ms']} 毫秒", "达标" if report["board_ok"] else "未达标")
    table.add_row("其中楼盘表查询（用例单独，中位数）", f"{report['board_service_ms']:.1f} 毫秒", "", "")
    out.print(f"数据库：{'PostgreSQL' if report['database'] == 'postgresql' else 'SQLite'}（临时）；"
              f"负载 {report['load_average']}", highlight=False)
    out.print(table)
