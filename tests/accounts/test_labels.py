"""Issue 15: a bureau's or a base's name field says 名称 (an organisation's name), not 姓名 (a person's)."""

import pytest


@pytest.mark.parametrize("url", ["/admin/bureaus/new", "/admin/bases/new"])
def test_organisation_forms_label_the_name_field_mingcheng(client, tenants, login, url):
    login(tenants.sysadmin)
    html = client.get(url).get_data(as_text=True)
    label = html.split('for="name"')[1].split("</label>")[0]
    assert "名称" in label and "姓名" not in label
