"""Report downloads over HTTP and from the command line."""

from __future__ import annotations

from tests.conftest import login_role


def test_report_download_roles_and_formats(client) -> None:
    sup, agent = login_role(client, "supervisor"), login_role(client, "agent")
    client.post("/api/v1/tickets", json={"appeal_type": "求助", "title": "太平镇停水", "content": "停水三天",
                                         "township": "太平镇", "category": ["城乡建设"]}, headers=agent)
    r = client.get("/api/v1/reports/week", params={"date": "2026-03-10", "format": "xlsx"}, headers=sup)
    assert r.status_code == 200 and r.content[:2] == b"PK" and "attachment" in r.headers["content-disposition"]
    r = client.get("/api/v1/reports/month/data", params={"date": "2026-03-10"}, headers=sup)
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["by_category"] == {"城乡建设": 1}
    assert client.get("/api/v1/reports/week", headers=agent).status_code == 403
    r = client.get("/api/v1/reports/year", headers=sup)
    assert r.status_code == 422 and not r.json()["error"]["message"].isascii()
    assert client.get("/api/v1/reports/week", params={"format": "doc"}, headers=sup).status_code == 422


def test_cli_report(settings, hotline, tmp_path, monkeypatch, capsys) -> None:
    from api.cli import main

    monkeypatch.setenv("HOTLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", settings.database_url)
    out = tmp_path / "week.html"
    assert main(["report", "--period", "week", "--date", "2026-03-10", "--out", str(out)]) == 0
    assert "鹤峰县 12345 热线周报" in out.read_text(encoding="utf-8") and "已生成" in capsys.readouterr().out
    assert main(["report", "--period", "month", "--date", "2026-13-01", "--out", str(out)]) == 2
