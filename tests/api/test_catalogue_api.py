"""/api/v1/routing/catalogue: administrator-only management of the dispatch catalogue."""

from __future__ import annotations

from tests.conftest import login_role


def test_catalogue_api(client) -> None:
    admin, agent = login_role(client, "admin"), login_role(client, "agent")
    assert client.get("/api/v1/routing/catalogue", headers=agent).status_code == 403
    page = client.get("/api/v1/routing/catalogue?level=township&size=5", headers=admin).json()
    assert page["total"] > 0 and len(page["items"]) <= 5 and all(x["level"] == "township" for x in page["items"])
    start = page["version"]
    total = client.get("/api/v1/routing/catalogue?size=1", headers=admin).json()["total"]
    line = {"matter": "高山茶园病虫害防治指导", "keywords": ["茶园", "病虫害"], "unit_code": "nyj", "level": "county",
            "co_units": ["township"], "basis": "《农作物病虫害防治条例》"}
    r = client.post("/api/v1/routing/catalogue", json=line, headers=admin)
    assert r.status_code == 201, r.text
    lid = r.json()["id"]
    r = client.patch(f"/api/v1/routing/catalogue/{lid}", json={"level": "township"}, headers=admin)
    assert r.status_code == 422 and r.json()["error"]["code"] == "catalogue_invalid", r.text
    assert "层级" in r.json()["error"]["message"]
    r = client.post("/api/v1/routing/catalogue", json=line | {"level": "province"}, headers=admin)
    assert r.status_code == 422 and not r.json()["error"]["message"].isascii()
    assert client.get(f"/api/v1/routing/catalogue/{lid}", headers=admin).json()["matter"] == line["matter"]
    assert client.delete(f"/api/v1/routing/catalogue/{lid}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/routing/catalogue/{lid}", headers=admin).status_code == 404

    bad = ("matter,keywords,unit_code,level,co_units,basis\n"
           "茶园指导,茶园,nyj,county,,依据\n"
           "乱码单位,甲,zzz,county,,依据\n").encode()
    r = client.post("/api/v1/routing/catalogue/import", files={"file": ("c.csv", bad, "text/csv")}, headers=admin)
    err = r.json()["error"]
    assert r.status_code == 422 and err["details"]["problems"] == ["第 3 行（乱码单位）：牵头单位编码“zzz”不在承办单位名录中"]
    good = bad.decode().splitlines()[:2]
    r = client.post("/api/v1/routing/catalogue/import", headers=admin,
                    files={"file": ("c.csv", "\n".join(good).encode(), "text/csv")})
    assert r.status_code == 200 and r.json()["lines"] == 1, r.text
    versions = client.get("/api/v1/routing/catalogue/versions", headers=admin).json()
    assert [v["action"] for v in versions] == ["import", "delete", "create", "seed"]
    r = client.post(f"/api/v1/routing/catalogue/versions/{start}/rollback", headers=admin)
    assert r.status_code == 200 and r.json()["lines"] == total
    assert client.get("/api/v1/routing/catalogue?size=1", headers=admin).json()["total"] == total
    assert client.post("/api/v1/routing/catalogue/versions/999/rollback", headers=admin).status_code == 404
