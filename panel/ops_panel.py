"""Administrator pages: dashboard, conversation log + retention, configuration, health, accounts, audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import gradio as gr
import httpx
import pandas as pd

from answering.referrals import file_text as referral_file_text
from core.config import small_model_generates
from core.errors import AdminError
from core.privacy import mask_personal_data
from panel import charts, dashboard
from panel.context import PanelServices
from panel.exports import format_time
from panel.ui_common import actor, header, user_errors


def test_llm_connection(base_url: str, timeout_s: float = 3.0, api_key: str | None = None) -> str:
    """GET {base_url}/models of an OpenAI-compatible server; a readable one-line verdict."""
    url = base_url.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = httpx.get(url, timeout=timeout_s, headers=headers)
    except httpx.HTTPError as exc:
        return f"失败：无法连接 {url}：{type(exc).__name__} {exc}"
    if response.status_code != 200:
        return f"失败：{url} 返回 HTTP {response.status_code}"
    try:
        models = [m.get("id", "?") for m in response.json().get("data", [])]
    except (ValueError, AttributeError):
        return f"失败：{url} 的返回不是 OpenAI 兼容的 JSON"
    return f"成功：连接正常，可用模型：{', '.join(models) or '（无）'}"


def _pairs(frame: pd.DataFrame) -> list[tuple[str, float]]:
    """(label, value) rows of a two-column frame."""
    return [(str(label), float(value)) for label, value in frame.itertuples(index=False)]


def build_ops_blocks(services: PanelServices) -> gr.Blocks:
    base = services.config.admin.path.rstrip("/")
    store = services.store
    assert store is not None  # mount_admin refuses to mount without one

    with gr.Blocks(title="运营管理", fill_width=True) as blocks:
        header("运营管理", base, (f"{base}/kb/", "知识库管理"))
        with gr.Tabs():
            with gr.Tab("看板", id="dashboard"):
                with gr.Row():
                    start = gr.Textbox(label="开始日期", placeholder="YYYY-MM-DD，留空为近 7 天", elem_id="dash-start")
                    end = gr.Textbox(label="结束日期", placeholder="YYYY-MM-DD，留空为今天", elem_id="dash-end")
                    bucket = gr.Radio([("按小时", "hour"), ("按天", "day")], value="hour", label="粒度")
                    refresh_dash = gr.Button("刷新", variant="primary", elem_id="dash-refresh")
                summary = gr.Markdown(elem_id="dash-summary")
                export_link = gr.HTML()
                with gr.Row(equal_height=False):
                    per_time = gr.HTML(elem_id="plot-questions")
                    outcomes = gr.HTML(elem_id="plot-outcomes")
                with gr.Row(equal_height=False):
                    topics = gr.HTML(elem_id="plot-topics")
                    feedback = gr.HTML(elem_id="plot-feedback")
                latency = gr.HTML(elem_id="plot-latency")

            with gr.Tab("对话记录", id="log"):
                with gr.Row():
                    log_start = gr.Textbox(label="开始日期", elem_id="log-start")
                    log_end = gr.Textbox(label="结束日期", elem_id="log-end")
                    refresh_log = gr.Button("查询", elem_id="log-refresh")
                log_table = gr.Dataframe(label="对话记录（身份证号、手机号、车牌、住址和自报姓名已脱敏）", interactive=False, wrap=True,
                                         column_widths=["13%", "17%", "38%", "8%", "5%", "7%", "12%"],
                                         elem_id="log-table")  # fmt: skip
                with gr.Row():
                    retention = gr.Number(label="保留天数", precision=0, minimum=1)
                    save_retention = gr.Button("保存保留期")
                    purge_button = gr.Button("立即清理过期记录", variant="stop")
                log_status = gr.Markdown()

            with gr.Tab("配置", id="config"):
                greeting = gr.Textbox(label="欢迎语", lines=2, elem_id="cfg-greeting")
                hot_topics = gr.Textbox(label="热门问题按钮（每行一个）", lines=4)
                handoff = gr.Textbox(label="转人工提示", lines=2)
                refusal = gr.Textbox(label="拒答话术（可用 {topic} 与 {window}）", lines=2)
                window = gr.Textbox(label="窗口指引")
                referral_reply = gr.Textbox(label="转办话术（可用 {topic} 与 {where}）", lines=2, elem_id="cfg-referral-reply")
                referrals = gr.Textbox(
                    label="转办指引：知识库不涵盖的其他部门业务（YAML，每项 topic 业务、where 去处、terms 关键词，可选 means 本大厅业务也用到的词）",
                    lines=12, max_lines=40, elem_id="cfg-referrals",
                )  # fmt: skip
                with gr.Row():
                    voice = gr.Textbox(label="音色")
                    speed = gr.Slider(0.5, 2.0, step=0.05, label="语速")
                with gr.Row():
                    backend = gr.Radio([("内置模型", "embedded"), ("OpenAI 兼容服务", "openai")], label="大模型后端")
                    base_url = gr.Textbox(label="服务地址 (base URL)")
                    model_name = gr.Textbox(label="模型名称")
                style = gr.Radio(
                    [("判断后引用条文原文（小模型推荐）", "quote"), ("大模型组织回答（7B 以上推荐）", "generate")],
                    label="回答方式", elem_id="cfg-style",
                )  # fmt: skip
                hall_region = gr.Textbox(
                    label="本大厅所在省市（如：上海）：该地的地方性法规回答所有问题，其他地方的只回答点明该地的问题；留空则都只回答点明地名的问题",
                    elem_id="cfg-hall-region",
                )  # fmt: skip
                with gr.Row():
                    save_config = gr.Button("保存配置（立即生效）", variant="primary", elem_id="cfg-save")
                    test_button = gr.Button("测试连接", elem_id="cfg-test")
                config_status = gr.Markdown(elem_id="cfg-status")

            with gr.Tab("健康", id="health"):
                health_table = gr.Dataframe(label="各引擎状态", interactive=False, wrap=True, elem_id="health-table")
                refresh_health = gr.Button("刷新")

            with gr.Tab("账号", id="accounts"):
                users_table = gr.Dataframe(label="账号", interactive=False)
                with gr.Row():
                    new_name = gr.Textbox(label="用户名")
                    new_password = gr.Textbox(label="密码（至少 8 位）", type="password")
                    new_role = gr.Radio([("工作人员", "staff"), ("管理员", "admin")], value="staff", label="角色")
                with gr.Row():
                    create_button = gr.Button("新建账号", variant="primary")
                    role_button = gr.Button("修改角色")
                    disable_button = gr.Button("停用账号", variant="stop")
                    enable_button = gr.Button("启用账号")
                    password_button = gr.Button("重设密码")
                account_status = gr.Markdown()

            with gr.Tab("审计日志", id="audit"):
                audit_table = gr.Dataframe(label="谁在何时改了什么", interactive=False, wrap=True, elem_id="audit-table")
                gr.HTML(f'<a href="{base}/files/admin/audit.csv" download>导出 CSV</a>')
                refresh_audit = gr.Button("刷新")

        # ------------------------------------------------------------ dashboard

        @user_errors
        def load_dashboard(start_day: str, end_day: str, granularity: str) -> tuple[Any, ...]:
            begin, finish = dashboard.parse_day_range(start_day or "", end_day or "")
            logged = store.turn_log.turns(begin, finish)
            turns = dashboard.questions_only(logged)
            facts = dashboard.summary(turns)
            ratio = "—" if facts["helpful_ratio"] is None else f"{facts['helpful_ratio']:.0%}"
            text = (
                f"**{format_time(begin)[:10]} 至 {format_time(finish - 1)[:10]}**：共 {facts['questions']} 个问题，"
                + "".join(f"{label} {facts[kind]}，" for kind, label in dashboard.OUTCOME_LABELS.items())
                + f"好评率 {ratio}"
                + (f"（另有寒暄 {len(logged) - len(turns)} 次，未计入）" if len(logged) > len(turns) else "")
            )
            query = urlencode({"start": format_time(begin)[:10], "end": format_time(finish - 1)[:10]})
            link = f'<a href="{base}/files/admin/turns.csv?{query}" download id="dash-export">导出所选时段 CSV</a>'
            per = "每小时" if granularity == "hour" else "每天"
            return (
                text, link,
                charts.column_series(dashboard.questions_series(turns, granularity), f"问题数量（{per}）", "chart-questions", width=620,
                                     y_title="问题数"),
                charts.horizontal_bars(_pairs(dashboard.outcome_counts(turns)), "回答结果", "chart-outcomes", width=620, label_px=90),
                charts.horizontal_bars(_pairs(dashboard.top_topics(turns)), "热门主题（首条引用的文件）", "chart-topics",
                                       width=620, label_px=260),
                charts.horizontal_bars(_pairs(dashboard.feedback_counts(turns)), "市民评价", "chart-feedback", width=620, label_px=90),
                charts.grouped_horizontal_bars(dashboard.latency_by_stage(turns), "各阶段用时（秒）",
                                               "chart-latency", width=900, unit=" 秒"),
            )  # fmt: skip

        dash_outputs = [summary, export_link, per_time, outcomes, topics, feedback, latency]
        refresh_dash.click(load_dashboard, [start, end, bucket], dash_outputs)
        bucket.change(load_dashboard, [start, end, bucket], dash_outputs)
        blocks.load(load_dashboard, [start, end, bucket], dash_outputs)

        # ------------------------------------------------------------ log + retention

        @user_errors
        def load_log(start_day: str, end_day: str) -> tuple[pd.DataFrame, int]:
            begin, finish = dashboard.parse_day_range(start_day or "", end_day or "")
            rows = [
                [format_time(t["created_at"]), mask_personal_data(t["question"]),
                 dashboard.answer_brief(mask_personal_data(t["answer"])),  # masked whole, then cut: no half number left
                 dashboard.mode_label(t["mode"], t["refused"]), "是" if t["refused"] else "",
                 {True: "有帮助", False: "没帮助", None: ""}[t["helpful"]],
                 "；".join(c.get("title", "") for c in t["citations"])]
                for t in store.turn_log.turns(begin, finish, limit=2000)
            ]  # fmt: skip
            columns = ["时间", "问题", "回答（所说的话）", "结果", "拒答", "评价", "引用"]
            return pd.DataFrame(rows, columns=columns), store.retention_days()

        @user_errors
        def set_retention(days: float | None, request: gr.Request) -> str:
            user = actor(request)
            if not days or days < 1:
                raise AdminError("bad-retention", "保留天数至少为 1")
            changed = store.settings.update(services.config, {"admin.retention_days": int(days)}, user)
            if changed:
                store.audit(user, "config-changed", "admin.retention_days", str(int(days)))
            return f"保留期：{int(days)} 天"

        @user_errors
        def purge(request: gr.Request) -> str:
            user = actor(request)
            days = store.retention_days()
            removed = store.purge_old(days)
            store.audit(user, "records-purged", f"older than {days} days", f"{removed} turns")
            return f"已清理 {removed} 条超过 {days} 天的对话记录"

        refresh_log.click(load_log, [log_start, log_end], [log_table, retention])
        blocks.load(load_log, [log_start, log_end], [log_table, retention])
        save_retention.click(set_retention, [retention], [log_status], api_name="set_retention")
        purge_button.click(purge, None, [log_status], api_name="purge_records").then(load_log, [log_start, log_end], [log_table, retention])

        # ------------------------------------------------------------ configuration

        config_fields = [greeting, hot_topics, handoff, refusal, window, referral_reply, referrals, voice, speed, backend,
                         base_url, model_name, style, hall_region]  # fmt: skip

        def deployment_referrals() -> str:
            """The referral list the deployment's file (or the shipped one) gives, before any panel edit."""
            return referral_file_text(services.config.answering.referrals_file)

        @user_errors
        def load_config_fields() -> tuple[Any, ...]:
            cfg = store.effective_config(services.config)
            return (
                cfg.kiosk.greeting, "\n".join(cfg.kiosk.hot_topics), cfg.kiosk.handoff_text,
                cfg.answering.refusal_template, cfg.answering.window_guidance, cfg.answering.referral_reply,
                cfg.answering.referrals_yaml if cfg.answering.referrals_yaml is not None else deployment_referrals(),
                cfg.tts.edge_voice, cfg.tts.speed, cfg.llm.backend, cfg.llm.base_url, cfg.llm.model_name,
                cfg.answering.style, cfg.answering.hall_region or "",
            )  # fmt: skip

        @user_errors
        def save(*values_and_request: Any) -> str:
            *values, request = values_and_request
            user = actor(request)
            keys = ["kiosk.greeting", "kiosk.hot_topics", "kiosk.handoff_text", "answering.refusal_template",
                    "answering.window_guidance", "answering.referral_reply", "answering.referrals_yaml",
                    "tts.edge_voice", "tts.speed", "llm.backend", "llm.base_url", "llm.model_name",
                    "answering.style", "answering.hall_region"]  # fmt: skip
            changes = dict(zip(keys, values, strict=True))
            changes["kiosk.hot_topics"] = [line.strip() for line in str(changes["kiosk.hot_topics"]).splitlines() if line.strip()]
            changes["answering.hall_region"] = str(changes["answering.hall_region"] or "").strip() or None
            # the deployment's own list, unedited, is not stored: a later change to its file still takes effect
            if str(changes["answering.referrals_yaml"]).strip() == deployment_referrals().strip():
                changes["answering.referrals_yaml"] = None
            changed = store.settings.update(services.config, changes, user)
            for key, value in changed.items():
                store.audit(user, "config-changed", key, str(value)[:200])
            status = f"已保存 {len(changed)} 项更改，数字人下一轮对话即生效。" if changed else "没有更改。"
            if small_model_generates(store.effective_config(services.config)):
                status += ("\n\n**注意**：内置小模型组织回答时，会说出与条文相反的结论（实测：“孩子不能在这里上小学”）。"
                           "建议选“判断后引用条文原文”，或接入 7B 以上的模型服务。")
            return status

        def test_connection(url: str) -> str:
            cfg = services.config.llm
            return test_llm_connection(url or cfg.base_url, timeout_s=cfg.connect_timeout_s, api_key=cfg.api_key)

        blocks.load(load_config_fields, None, config_fields)

        def save_handler(greeting_v: str, topics_v: str, handoff_v: str, refusal_v: str, window_v: str,
                         referral_reply_v: str, referrals_v: str, voice_v: str, speed_v: float, backend_v: str,
                         url_v: str, model_v: str, style_v: str, region_v: str, request: gr.Request) -> str:  # fmt: skip
            return save(greeting_v, topics_v, handoff_v, refusal_v, window_v, referral_reply_v, referrals_v, voice_v,
                        speed_v, backend_v, url_v, model_v, style_v, region_v, request)  # fmt: skip

        save_config.click(save_handler, config_fields, [config_status], api_name="save_config")
        test_button.click(test_connection, [base_url], [config_status])

        # ------------------------------------------------------------ health, accounts, audit

        def load_health() -> pd.DataFrame:
            return dashboard.health_table(services.health())

        refresh_health.click(load_health, None, [health_table])
        blocks.load(load_health, None, [health_table])

        def load_users() -> pd.DataFrame:
            users = store.accounts.list_users()
            rows = [[u["username"], dashboard.ROLE_LABELS.get(u["role"], u["role"]), "停用" if u["disabled"] else "正常",
                     format_time(float(u["created_at"]))]
                    for u in users]  # fmt: skip
            return pd.DataFrame(rows, columns=["用户名", "角色", "状态", "创建时间"])

        def account_action(action: str) -> Any:
            @user_errors
            def run(name: str, password: str, role: str, request: gr.Request) -> str:
                user = actor(request)
                name = name.strip()
                if not name:
                    raise AdminError("bad-username", "请填写用户名")
                if action in ("disable", "role") and name == user:
                    raise AdminError("self-lockout", "不能停用自己或修改自己的角色")
                accounts = store.accounts
                if action == "create":
                    accounts.create_user(name, password, role)  # type: ignore[arg-type]
                elif action == "role":
                    accounts.set_role(name, role)  # type: ignore[arg-type]
                elif action == "disable":
                    accounts.set_disabled(name, True)
                elif action == "enable":
                    accounts.set_disabled(name, False)
                else:
                    accounts.set_password(name, password)
                store.audit(user, f"user-{action}", name, role if action in ("create", "role") else "")
                return f"已完成：{dashboard.AUDIT_LABELS.get(f'user-{action}', action)} {name}"

            return run

        for button, action in ((create_button, "create"), (role_button, "role"), (disable_button, "disable"),
                               (enable_button, "enable"), (password_button, "password")):  # fmt: skip
            button.click(
                account_action(action), [new_name, new_password, new_role], [account_status], api_name=f"{action}_user"
            ).then(
                load_users, None, [users_table]
            )
        blocks.load(load_users, None, [users_table])

        def load_audit() -> pd.DataFrame:
            rows = [[format_time(e["at"]), e["actor"], dashboard.AUDIT_LABELS.get(e["action"], e["action"]), e["target"],
                     e["detail"]] for e in store.audit_log()]  # fmt: skip
            return pd.DataFrame(rows, columns=["时间", "操作人", "操作", "对象", "详情"])

        refresh_audit.click(load_audit, None, [audit_table])
        blocks.load(load_audit, None, [audit_table])

    return blocks
