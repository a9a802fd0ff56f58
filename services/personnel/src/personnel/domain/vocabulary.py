"""Vietnamese (and English) words provincial staff use in spreadsheets, mapped to the system's codes.

Import files may use either the codes (`dedicated`) or the words (`chuyên trách`); comparison ignores
case, surrounding spaces and Unicode composition, and knows both spellings of "uỷ/ủy".
"""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().strip().replace("uỷ", "ủy")
    return " ".join(text.replace("_", " ").split())


VALUES: dict[str, dict[str, str]] = {
    "kind": {
        "cơ quan đảng": "party_agency",
        "party agency": "party_agency",
        "sở, ngành": "state_agency",
        "sở ngành": "state_agency",
        "sở": "state_agency",
        "state agency": "state_agency",
        "ủy ban nhân dân": "peoples_committee",
        "ubnd": "peoples_committee",
        "peoples committee": "peoples_committee",
        "đơn vị sự nghiệp": "public_service_unit",
        "đơn vị sự nghiệp công lập": "public_service_unit",
        "public service unit": "public_service_unit",
        "trung tâm": "centre",
        "center": "centre",
        "khác": "other",
    },
    "level": {
        "tỉnh": "province",
        "cấp tỉnh": "province",
        "huyện": "district",
        "cấp huyện": "district",
        "xã": "commune",
        "cấp xã": "commune",
    },
    "gender": {"nữ": "female", "nam": "male", "khác": "other"},
    "employment_category": {
        "cán bộ": "cadre",
        "công chức": "civil_servant",
        "viên chức": "public_employee",
        "hợp đồng": "contract",
        "khác": "other",
        "civil servant": "civil_servant",
        "public employee": "public_employee",
    },
    "assignment": {"chuyên trách": "dedicated", "kiêm nhiệm": "concurrent"},
    "functions": {
        "kỹ thuật cntt": "it_technical",
        "cán bộ kỹ thuật cntt": "it_technical",
        "it technical": "it_technical",
        "an toàn thông tin": "information_security",
        "attt": "information_security",
        "information security": "information_security",
        "lãnh đạo phụ trách cntt": "it_leader",
        "lãnh đạo cntt": "it_leader",
        "it leader": "it_leader",
        "mạng lưới cđs": "cds_network_member",
        "thành viên mạng lưới cđs": "cds_network_member",
        "cds network member": "cds_network_member",
    },
    "affiliation": {
        "đoàn thanh niên": "youth_union",
        "youth union": "youth_union",
        "hội phụ nữ": "womens_union",
        "hội liên hiệp phụ nữ": "womens_union",
        "womens union": "womens_union",
        "hội nông dân": "farmers_association",
        "farmers association": "farmers_association",
        "cựu chiến binh": "veterans",
        "hội cựu chiến binh": "veterans",
        "công an": "police",
        "giáo viên": "teachers",
        "y tế": "health_workers",
        "nhân viên y tế": "health_workers",
        "health workers": "health_workers",
        "khác": "other",
    },
    "role": {
        "tổ trưởng": "leader",
        "thành viên": "member",
        # incident-response team roles (a response team's member file uses the same column)
        "đội trưởng": "lead",
        "trưởng đội": "lead",
        "điều phối": "coordinator",
        "điều phối viên": "coordinator",
        "phân tích": "analyst",
        "phân tích viên": "analyst",
        "quản trị mạng": "network_admin",
        "network admin": "network_admin",
        "liên lạc": "liaison",
        "liên lạc viên": "liaison",
    },
    "scope": {"cấp tỉnh": "provincial", "tỉnh": "provincial", "đơn vị": "unit", "cấp đơn vị": "unit"},
}

HEADERS: dict[str, dict[str, str]] = {
    "units": {
        "mã đơn vị": "unit_id",
        "mã": "unit_id",
        "tên đơn vị": "name_vi",
        "tên": "name_vi",
        "tên tiếng việt": "name_vi",
        "tên tiếng anh": "name_en",
        "loại hình": "kind",
        "loại": "kind",
        "unit kind": "kind",  # a province package's JSON Lines use `kind` for the line's kind
        "cấp": "level",
        "đơn vị cha": "parent_id",
        "mã đơn vị cha": "parent_id",
        "đơn vị cấp trên": "parent_id",
        "hiệu lực từ": "valid_from",
        "ngày hiệu lực": "valid_from",
        "ngày thành lập": "valid_from",
    },
    "officers": {
        "mã cán bộ": "officer_id",
        "họ và tên": "full_name",
        "họ tên": "full_name",
        "năm sinh": "birth_year",
        "giới tính": "gender",
        "đơn vị": "unit_id",
        "mã đơn vị": "unit_id",
        "đối tượng": "employment_category",
        "loại cán bộ": "employment_category",
        "hình thức": "assignment",
        "chuyên trách/kiêm nhiệm": "assignment",
        "nhiệm vụ": "functions",
        "chức năng": "functions",
        "ngày bổ nhiệm": "effective_date",
        "ngày hiệu lực": "effective_date",
    },
    "teams": {
        "mã tổ": "team_id",
        "xã": "commune_id",
        "mã xã": "commune_id",
        "thôn": "village",
        "thôn/xóm": "village",
        "ngày thành lập": "established_on",
    },
    "members": {
        "mã tổ": "team_id",
        "mã thành viên": "member_id",
        "họ và tên": "full_name",
        "họ tên": "full_name",
        "đoàn thể": "affiliation",
        "thuộc tổ chức": "affiliation",
        "vai trò": "role",
        "ngày tham gia": "joined_on",
    },
    "response_teams": {
        "mã đội": "team_id",
        "tên đội": "name",
        "tên": "name",
        "phạm vi": "scope",
        "đơn vị": "unit_id",
        "mã đơn vị": "unit_id",
        "ngày thành lập": "formed_on",
    },
    "response_members": {
        "mã đội": "team_id",
        "mã cán bộ": "officer_id",
        "vai trò": "role",
        "ngày tham gia": "joined_on",
    },
}


def field_for(kind: str, header: str, fields: set[str]) -> str | None:
    """The model field a column header means, or None."""
    key = normalise(header)
    as_code = key.replace(" ", "_")
    if as_code in fields:
        return as_code
    return HEADERS[kind].get(key)


def code_for(field: str, value: str) -> str:
    """The code for a Vietnamese/English word; unknown words pass through for validation to report."""
    table = VALUES.get(field)
    return table.get(normalise(value), value.strip()) if table else value
