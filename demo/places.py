"""Names used by the demo data set: Vĩnh Phúc's agencies, localities and communes, and Vietnamese names.

Real: the province, its departments and sectors, the Digital Infrastructure and Information Security
Center, the provincial Party agencies, the public service units, the 9 district-level localities and
the 136 commune-level names below (wards, townships and communes of the map before the 2025-07-01
reorganisation, written down from memory: a few may have been merged or renamed in the 2019-2024
rearrangements, and the seat listed first is a choice, not a fact).
Plausible, generated: every person (officers, team members, candidates), villages ("Thôn 3"), the
2025 groupings of communes and the names of the new communes (a group containing a district's seat
takes the district's name, other groups the name of their first commune), unit codes, document numbers.
"""

from __future__ import annotations

import unicodedata

PROVINCE = ("Tỉnh Vĩnh Phúc", "Vinh Phuc Province")
SUCCESSOR = ("Tỉnh Phú Thọ", "Phu Tho Province")

# (code, Vietnamese name, English name)
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs"),
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    ("STP", "Sở Tư pháp", "Department of Justice"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("SXD", "Sở Xây dựng", "Department of Construction"),
    ("SGTVT", "Sở Giao thông vận tải", "Department of Transport"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "Department of Agriculture and Rural Development"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("TTT", "Thanh tra tỉnh", "Provincial Inspectorate"),
)
CENTRE = (
    "TTHTS",
    "Trung tâm Hạ tầng số và An toàn thông tin",
    "Digital Infrastructure and Information Security Center",
)
PARTY_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("VPTU", "Văn phòng Tỉnh ủy", "Office of the Provincial Party Committee"),
    ("BTCTU", "Ban Tổ chức Tỉnh ủy", "Organisation Commission"),
    ("BTGTU", "Ban Tuyên giáo Tỉnh ủy", "Propaganda and Education Commission"),
    ("UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", "Inspection Commission"),
    ("BDVTU", "Ban Dân vận Tỉnh ủy", "Mass Mobilisation Commission"),
    ("BNCTU", "Ban Nội chính Tỉnh ủy", "Internal Affairs Commission"),
)
# (code, name, English name, parent department code or "" for the province)
PUBLIC_SERVICE_UNITS: tuple[tuple[str, str, str, str], ...] = (
    ("BAOVP", "Báo Vĩnh Phúc", "Vinh Phuc Newspaper", ""),
    ("DPTTH", "Đài Phát thanh và Truyền hình Vĩnh Phúc", "Vinh Phuc Radio and Television", ""),
    ("BVDK", "Bệnh viện Đa khoa tỉnh Vĩnh Phúc", "Vinh Phuc General Hospital", "SYT"),
)

# (code, name, is a city, communes with the seat first)
DISTRICTS: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    (
        "VINHYEN",
        "Thành phố Vĩnh Yên",
        True,
        (
            "Phường Ngô Quyền",
            "Phường Liên Bảo",
            "Phường Tích Sơn",
            "Phường Đống Đa",
            "Phường Hội Hợp",
            "Phường Khai Quang",
            "Phường Đồng Tâm",
            "Xã Định Trung",
            "Xã Thanh Trù",
        ),
    ),
    (
        "PHUCYEN",
        "Thành phố Phúc Yên",
        True,
        (
            "Phường Trưng Trắc",
            "Phường Trưng Nhị",
            "Phường Hùng Vương",
            "Phường Phúc Thắng",
            "Phường Xuân Hòa",
            "Phường Đồng Xuân",
            "Phường Tiền Châu",
            "Phường Nam Viêm",
            "Xã Cao Minh",
            "Xã Ngọc Thanh",
        ),
    ),
    (
        "BINHXUYEN",
        "Huyện Bình Xuyên",
        False,
        (
            "Thị trấn Hương Canh",
            "Thị trấn Gia Khánh",
            "Thị trấn Thanh Lãng",
            "Thị trấn Đạo Đức",
            "Xã Bá Hiến",
            "Xã Hương Sơn",
            "Xã Phú Xuân",
            "Xã Quất Lưu",
            "Xã Sơn Lôi",
            "Xã Tam Hợp",
            "Xã Tân Phong",
            "Xã Thiện Kế",
            "Xã Trung Mỹ",
        ),
    ),
    (
        "LAPTHACH",
        "Huyện Lập Thạch",
        False,
        (
            "Thị trấn Lập Thạch",
            "Thị trấn Hoa Sơn",
            "Xã Bắc Bình",
            "Xã Bàn Giản",
            "Xã Đình Chu",
            "Xã Đồng Ích",
            "Xã Hợp Lý",
            "Xã Liên Hòa",
            "Xã Liễn Sơn",
            "Xã Ngọc Mỹ",
            "Xã Quang Sơn",
            "Xã Sơn Đông",
            "Xã Thái Hòa",
            "Xã Tiên Lữ",
            "Xã Triệu Đề",
            "Xã Tử Du",
            "Xã Vân Trục",
            "Xã Xuân Hòa",
            "Xã Xuân Lôi",
            "Xã Văn Quán",
        ),
    ),
    (
        "SONGLO",
        "Huyện Sông Lô",
        False,
        (
            "Thị trấn Tam Sơn",
            "Xã Bạch Lưu",
            "Xã Cao Phong",
            "Xã Đôn Nhân",
            "Xã Đồng Quế",
            "Xã Đồng Thịnh",
            "Xã Đức Bác",
            "Xã Hải Lựu",
            "Xã Lãng Công",
            "Xã Nhân Đạo",
            "Xã Nhạo Sơn",
            "Xã Như Thụy",
            "Xã Phương Khoan",
            "Xã Quang Yên",
            "Xã Tân Lập",
            "Xã Tứ Yên",
            "Xã Yên Thạch",
        ),
    ),
    (
        "TAMDUONG",
        "Huyện Tam Dương",
        False,
        (
            "Thị trấn Hợp Hòa",
            "Xã An Hòa",
            "Xã Đạo Tú",
            "Xã Đồng Tĩnh",
            "Xã Hoàng Đan",
            "Xã Hoàng Hoa",
            "Xã Hoàng Lâu",
            "Xã Hợp Thịnh",
            "Xã Hướng Đạo",
            "Xã Kim Long",
            "Xã Thanh Vân",
            "Xã Vân Hội",
            "Xã Duy Phiên",
        ),
    ),
    (
        "TAMDAO",
        "Huyện Tam Đảo",
        False,
        (
            "Thị trấn Hợp Châu",
            "Thị trấn Tam Đảo",
            "Xã Đại Đình",
            "Xã Bồ Lý",
            "Xã Đạo Trù",
            "Xã Hồ Sơn",
            "Xã Minh Quang",
            "Xã Tam Quan",
            "Xã Yên Dương",
        ),
    ),
    (
        "VINHTUONG",
        "Huyện Vĩnh Tường",
        False,
        (
            "Thị trấn Vĩnh Tường",
            "Thị trấn Thổ Tang",
            "Thị trấn Tứ Trưng",
            "Xã An Tường",
            "Xã Bình Dương",
            "Xã Cao Đại",
            "Xã Chấn Hưng",
            "Xã Đại Đồng",
            "Xã Kim Xá",
            "Xã Lũng Hòa",
            "Xã Lý Nhân",
            "Xã Nghĩa Hưng",
            "Xã Ngũ Kiên",
            "Xã Phú Đa",
            "Xã Tam Phúc",
            "Xã Tân Phú",
            "Xã Tân Tiến",
            "Xã Thượng Trưng",
            "Xã Tuân Chính",
            "Xã Vân Xuân",
            "Xã Việt Xuân",
            "Xã Vĩnh Ninh",
            "Xã Vĩnh Sơn",
            "Xã Vĩnh Thịnh",
            "Xã Yên Bình",
            "Xã Yên Lập",
            "Xã Bồ Sao",
            "Xã Phú Thịnh",
        ),
    ),
    (
        "YENLAC",
        "Huyện Yên Lạc",
        False,
        (
            "Thị trấn Yên Lạc",
            "Xã Bình Định",
            "Xã Đại Tự",
            "Xã Đồng Cương",
            "Xã Đồng Văn",
            "Xã Hồng Châu",
            "Xã Hồng Phương",
            "Xã Liên Châu",
            "Xã Nguyệt Đức",
            "Xã Tam Hồng",
            "Xã Tề Lỗ",
            "Xã Trung Hà",
            "Xã Trung Kiên",
            "Xã Trung Nguyên",
            "Xã Văn Tiến",
            "Xã Yên Đồng",
            "Xã Yên Phương",
        ),
    ),
)

FAMILY = (
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đỗ",
    "Bùi",
    "Đặng",
    "Ngô",
    "Dương",
    "Phan",
    "Đào",
    "Trịnh",
    "Hà",
    "Lưu",
    "Tạ",
    "Khổng",
    "Kim",
    "Lý",
)
MIDDLE = {
    "female": ("Thị", "Thu", "Hồng", "Ngọc", "Thanh", "Minh"),
    "male": ("Văn", "Đức", "Quang", "Hữu", "Minh", "Xuân"),
}
GIVEN = {
    "female": (
        "Anh",
        "Hà",
        "Hạnh",
        "Hoa",
        "Hương",
        "Huyền",
        "Lan",
        "Linh",
        "Mai",
        "Nga",
        "Phương",
        "Thảo",
        "Trang",
        "Vân",
        "Yến",
        "Ngân",
        "Thủy",
        "Dung",
    ),
    "male": (
        "Anh",
        "Bình",
        "Cường",
        "Dũng",
        "Giang",
        "Hải",
        "Hiếu",
        "Hùng",
        "Long",
        "Minh",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Thắng",
        "Trung",
        "Tuấn",
        "Việt",
        "Khánh",
        "Đạt",
    ),
}


def slug(text: str) -> str:
    """ASCII code fragment of a Vietnamese name: 'Phường Liên Bảo' -> 'LIENBAO' (the kind word dropped)."""
    for kind in ("Thành phố ", "Huyện ", "Phường ", "Thị trấn ", "Xã "):
        text = text.removeprefix(kind)
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if c.isascii() and c.isalnum()).upper()


def base_name(name: str) -> str:
    """'Thị trấn Hương Canh' -> 'Hương Canh', 'Huyện Bình Xuyên' -> 'Bình Xuyên'."""
    for kind in ("Thành phố ", "Huyện ", "Phường ", "Thị trấn ", "Xã "):
        if name.startswith(kind):
            return name.removeprefix(kind)
    return name
