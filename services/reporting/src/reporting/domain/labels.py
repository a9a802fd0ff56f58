"""What provincial staff read instead of the codes the events carry: (Vietnamese, English) per enum value.

One module, so an export, the dashboard and any later report word the same code the same way. A code
missing here is shown as it is rather than hidden."""

from __future__ import annotations

from typing import Literal

Lang = Literal["vi", "en"]

ENUMS: dict[str, dict[str, tuple[str, str]]] = {
    "unit_kind": {
        "party_agency": ("Cơ quan Đảng", "Party agency"),
        "state_agency": ("Cơ quan nhà nước", "State agency"),
        "peoples_committee": ("UBND", "People's Committee"),
        "public_service_unit": ("Đơn vị sự nghiệp", "Public service unit"),
        "centre": ("Trung tâm", "Centre"),
        "other": ("Khác", "Other"),
    },
    "level": {
        "province": ("Cấp tỉnh", "Province"),
        "district": ("Cấp huyện", "District"),
        "commune": ("Cấp xã", "Commune"),
    },
    "sector": {
        "party_agency": ("Cơ quan Đảng", "Party agencies"),
        "state_agency": ("Cơ quan nhà nước", "State agencies"),
        "peoples_committee": ("UBND các cấp", "People's Committees"),
        "public_service_unit": ("Đơn vị sự nghiệp", "Public service units"),
        "other": ("Khác", "Other"),
    },
    "function": {
        "it_technical": ("Kỹ thuật CNTT", "IT technical"),
        "information_security": ("An toàn thông tin", "Information security"),
        "it_leader": ("Lãnh đạo phụ trách CNTT", "IT leader"),
        "cds_network_member": ("Thành viên mạng lưới CĐS", "CĐS network member"),
        "data": ("Dữ liệu", "Data"),
        "leadership": ("Lãnh đạo", "Leadership"),
    },
    "affiliation": {
        "youth_union": ("Đoàn Thanh niên", "Youth Union"),
        "womens_union": ("Hội Phụ nữ", "Women's Union"),
        "farmers_association": ("Hội Nông dân", "Farmers' Association"),
        "veterans": ("Hội Cựu chiến binh", "Veterans"),
        "police": ("Công an", "Police"),
        "teachers": ("Giáo viên", "Teachers"),
        "health_workers": ("Y tế", "Health workers"),
        "other": ("Khác", "Other"),
    },
    "departure_reason": {
        "private_sector": ("Chuyển sang khu vực tư nhân", "Private sector"),
        "other_public_body": ("Chuyển cơ quan nhà nước khác", "Other public body"),
        "retirement": ("Nghỉ hưu", "Retirement"),
        "dismissal": ("Cho thôi việc", "Dismissal"),
        "other": ("Khác", "Other"),
    },
    "stage": {
        "applied": ("Nộp hồ sơ", "Applied"),
        "screened": ("Sơ tuyển", "Screened"),
        "interviewed": ("Phỏng vấn", "Interviewed"),
        "offered": ("Được mời nhận việc", "Offered"),
        "accepted": ("Nhận lời", "Accepted"),
        "declined": ("Từ chối", "Declined"),
        "hired": ("Tuyển dụng", "Hired"),
        "rejected": ("Không đạt", "Rejected"),
    },
    "training_target": {
        "classes": ("Số lớp", "Classes"),
        "trainees_province": ("Học viên cấp tỉnh", "Trainees, province"),
        "trainees_district": ("Học viên cấp huyện", "Trainees, district"),
        "trainees_commune": ("Học viên cấp xã", "Trainees, commune"),
        "advanced_classes": ("Lớp chuyên sâu", "Advanced classes"),
        "advanced_trainees": ("Học viên chuyên sâu", "Advanced trainees"),
        "drills": ("Diễn tập", "Drills"),
    },
    "certificate_source": {
        "training": ("Đào tạo", "Training"),
        "personnel": ("Hồ sơ cán bộ", "Personnel record"),
    },
    "team_scope": {
        "provincial": ("Cấp tỉnh", "Provincial"),
        "unit": ("Cấp đơn vị", "Unit"),
    },
    "coverage_gap": {
        "it_leader": ("Thiếu lãnh đạo phụ trách CNTT", "No IT leader"),
        "it_technical": ("Thiếu cán bộ kỹ thuật CNTT", "No IT technical officer"),
    },
    "yes_no": {
        "true": ("Có", "Yes"),
        "false": ("Không", "No"),
    },
}


def label(enum: str, code: str, lang: Lang) -> str:
    """The label of `code` in `lang`; the code itself when it has none."""
    found = ENUMS[enum].get(code)
    if found is None:
        return code
    return found[0] if lang == "vi" else found[1]
