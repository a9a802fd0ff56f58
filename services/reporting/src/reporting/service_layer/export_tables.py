"""The exported tables: for each, the view it is cut from (its name in the view registry,
entrypoints/http/registry.py), where its rows are and its columns.

Columns read `key:type[:enum][=default] | Vietnamese header | English header` (see domain/tables.py);
enum columns are shown with the labels of domain/labels.py."""

from __future__ import annotations

from reporting.domain.tables import TableSpec, columns

_UNIT = """
unit_id | Mã đơn vị | Unit code
name_vi | Tên đơn vị | Unit name
kind:enum:unit_kind | Loại đơn vị | Unit kind
level:enum:level | Cấp | Level
"""

_SPECS = (
    TableSpec(
        "headcount",
        "Số lượng cán bộ CĐS theo đơn vị",
        "CĐS officers by unit",
        "headcount",
        ("units",),
        columns(
            _UNIT
            + """
        parent_id | Đơn vị cấp trên | Parent unit
        own.total:int | Tổng số (riêng đơn vị) | Total (own)
        own.dedicated:int | Chuyên trách (riêng đơn vị) | Dedicated (own)
        own.concurrent:int | Kiêm nhiệm (riêng đơn vị) | Concurrent (own)
        own.information_security:int | An toàn thông tin (riêng đơn vị) | Information security (own)
        own.it_technical:int | Kỹ thuật CNTT (riêng đơn vị) | IT technical (own)
        own.it_leader:int | Lãnh đạo phụ trách CNTT (riêng đơn vị) | IT leaders (own)
        rolled_up.total:int | Tổng số (gồm cấp dưới) | Total (with sub-units)
        rolled_up.dedicated:int | Chuyên trách (gồm cấp dưới) | Dedicated (with sub-units)
        rolled_up.concurrent:int | Kiêm nhiệm (gồm cấp dưới) | Concurrent (with sub-units)
        rolled_up.information_security:int | An toàn thông tin (gồm cấp dưới) | Information security (with sub-units)
        rolled_up.it_technical:int | Kỹ thuật CNTT (gồm cấp dưới) | IT technical (with sub-units)
        rolled_up.it_leader:int | Lãnh đạo phụ trách CNTT (gồm cấp dưới) | IT leaders (with sub-units)
        """
        ),
    ),
    TableSpec(
        # `agencies` lists every agency; bodies without it (older ones) list only the failing ones
        "coverage",
        "Bố trí cán bộ CNTT tại cơ quan, đơn vị",
        "Agencies and the IT staffing rule",
        "coverage",
        ("agencies", "failing"),
        columns(
            _UNIT
            + """
        has_it_leader:bool | Có lãnh đạo phụ trách CNTT | Has an IT leader
        it_technical:int | Số cán bộ kỹ thuật CNTT | IT technical officers
        compliant:bool | Đạt yêu cầu | Compliant
        missing:list:coverage_gap | Còn thiếu | Missing
        """
        ),
    ),
    TableSpec(
        "community-teams",
        "Tổ công nghệ số cộng đồng theo xã",
        "Community technology teams by commune",
        "community-teams",
        ("by_commune",),
        columns("""
        commune_id | Mã xã | Commune code
        name_vi | Tên xã | Commune
        teams:int | Số tổ | Teams
        members:int | Số thành viên | Members
        """),
    ),
    TableSpec(
        "community-members",
        "Thành viên tổ CNSCĐ theo lực lượng",
        "Community team members by affiliation",
        "community-teams",
        ("members_by_affiliation",),
        columns("""
        affiliation:enum:affiliation | Lực lượng | Affiliation
        value:int | Số thành viên | Members
        """),
        shape="mapping",
    ),
    TableSpec(
        "trained-share",
        "Cán bộ được bồi dưỡng trong 12 tháng",
        "Officers trained in the last 12 months",
        "trained-share",
        ("units",),
        columns("""
        unit_id | Mã đơn vị | Unit code
        name_vi | Tên đơn vị | Unit name
        level:enum:level | Cấp | Level
        officers:int | Số cán bộ | Officers
        trained_12m:int | Đã qua bồi dưỡng (12 tháng) | Trained (12 months)
        trained_share_pct:number | Tỷ lệ (%) | Share (%)
        """),
    ),
    TableSpec(
        "certificates-expiring",
        "Chứng chỉ sắp hết hạn",
        "Certificates expiring soon",
        "certificates-expiring",
        ("certificates",),
        columns("""
        certificate_id | Mã chứng chỉ | Certificate
        officer_id | Mã cán bộ | Officer
        unit_id | Mã đơn vị | Unit code
        name | Tên chứng chỉ | Certificate name
        issued_on:date | Ngày cấp | Issued on
        expires_on:date | Ngày hết hạn | Expires on
        source:enum:certificate_source | Nguồn | Source
        days_left:int | Số ngày còn lại | Days left
        """),
    ),
    TableSpec(
        "drills",
        "Diễn tập và kiến nghị theo đơn vị",
        "Drills and findings by unit",
        "drills",
        ("units",),
        columns("""
        unit_id | Mã đơn vị | Unit code
        drills:int | Số cuộc diễn tập | Drills
        open_findings:int | Kiến nghị chưa khắc phục | Open findings
        overdue_findings:int | Kiến nghị quá hạn | Overdue findings
        """),
    ),
    TableSpec(
        "attainment",
        "Kết quả thực hiện kế hoạch đào tạo",
        "Training plan attainment",
        "attainment",
        ("targets",),
        columns("""
        target_name:enum:training_target | Chỉ tiêu | Target
        target:int | Kế hoạch | Planned
        actual:int | Thực hiện | Done
        attainment_pct:number | Tỷ lệ đạt (%) | Attainment (%)
        """),
        shape="mapping",
    ),
    TableSpec(
        "vacancies",
        "Vị trí tuyển dụng đang mở",
        "Open vacancies",
        "vacancies",
        ("vacancies",),
        columns("""
        vacancy_id | Mã vị trí | Vacancy
        unit_id | Mã đơn vị | Unit code
        function:enum:function | Lĩnh vực | Function
        positions:int | Chỉ tiêu | Positions
        hired:int | Đã tuyển | Hired
        policy_ids:list | Chính sách thu hút | Incentive policies
        opened_on:date | Ngày mở | Opened on
        closes_on:date | Hạn nộp hồ sơ | Closes on
        age_days:int | Số ngày đã mở | Age (days)
        """),
    ),
    TableSpec(
        "pipeline",
        "Các bước tuyển dụng",
        "Recruitment pipeline stages",
        "pipeline",
        ("funnel",),
        columns("""
        stage:enum:stage | Bước | Stage
        reached:int | Số hồ sơ | Applications
        conversion_pct:number | Tỷ lệ chuyển tiếp (%) | Conversion (%)
        """),
    ),
    TableSpec(
        "policies",
        "Tuyển dụng theo chính sách thu hút",
        "Hires per incentive policy",
        "policies",
        ("policies",),
        columns("""
        policy_id | Mã chính sách | Policy
        name | Tên chính sách | Name
        document_number | Số văn bản | Document number
        monthly_allowance_vnd:int | Phụ cấp hằng tháng (đồng) | Monthly allowance (VND)
        hires:int | Số người được tuyển | Hires
        appointed:int | Đã bổ nhiệm | Appointed
        """),
    ),
    TableSpec(
        "staffing-fill",
        "Tỷ lệ đáp ứng kế hoạch biên chế CNTT",
        "Staffing plan fill rate",
        "staffing-fill",
        ("units",),
        columns("""
        unit_id | Mã đơn vị | Unit code
        positions.it_technical.quota:int | Kỹ thuật CNTT: kế hoạch | IT technical: quota
        positions.it_technical.filled:int | Kỹ thuật CNTT: hiện có | IT technical: filled
        positions.it_technical.fill_rate_pct:number | Kỹ thuật CNTT: tỷ lệ (%) | IT technical: rate (%)
        positions.information_security.quota:int | ATTT: kế hoạch | Information security: quota
        positions.information_security.filled:int | ATTT: hiện có | Information security: filled
        positions.information_security.fill_rate_pct:number | ATTT: tỷ lệ (%) | Information security: rate (%)
        positions.data.quota:int | Dữ liệu: kế hoạch | Data: quota
        positions.data.filled:int | Dữ liệu: hiện có | Data: filled
        positions.data.fill_rate_pct:number | Dữ liệu: tỷ lệ (%) | Data: rate (%)
        positions.leadership.quota:int | Lãnh đạo: kế hoạch | Leadership: quota
        positions.leadership.filled:int | Lãnh đạo: hiện có | Leadership: filled
        positions.leadership.fill_rate_pct:number | Lãnh đạo: tỷ lệ (%) | Leadership: rate (%)
        fill_rate_pct:number | Tỷ lệ đáp ứng chung (%) | Overall fill rate (%)
        """),
    ),
    TableSpec(
        "attrition-months",
        "Nghỉ việc và tuyển mới theo tháng",
        "Departures and hires by month",
        "attrition",
        ("months",),
        columns("""
        month | Tháng | Month
        departures:int | Số nghỉ việc | Departures
        by_reason.private_sector:int=0 | Sang khu vực tư nhân | To the private sector
        by_reason.other_public_body:int=0 | Sang cơ quan nhà nước khác | To another public body
        by_reason.retirement:int=0 | Nghỉ hưu | Retirement
        by_reason.dismissal:int=0 | Cho thôi việc | Dismissal
        by_reason.other:int=0 | Lý do khác | Other reason
        hires:int | Tuyển mới | Hires
        """),
    ),
    TableSpec(
        "attrition-units",
        "Nghỉ việc trong 12 tháng theo đơn vị",
        "Departures in 12 months by unit",
        "attrition",
        ("by_unit",),
        columns("""
        unit_id | Mã đơn vị | Unit code
        departures:int | Số nghỉ việc | Departures
        """),
    ),
    TableSpec(
        "readiness",
        "Mức sẵn sàng của đội ứng cứu sự cố",
        "Incident-response team readiness",
        "readiness",
        ("teams",),
        columns("""
        team_id | Mã đội | Team
        name | Tên đội | Name
        scope:enum:team_scope | Phạm vi | Scope
        unit_id | Mã đơn vị | Unit code
        members:int | Số thành viên | Members
        certified_members:int | Có chứng chỉ ATTT | Certified members
        certified_share_pct:number | Tỷ lệ có chứng chỉ (%) | Certified (%)
        last_drill_on:date | Lần diễn tập gần nhất | Last drill
        days_since_last_drill:int | Số ngày từ lần diễn tập | Days since the last drill
        coverage_next_30_days.coverage_pct:number | Trực 30 ngày tới (%) | On-call coverage, next 30 days (%)
        incidents_90_days.incidents:int | Sự cố trong 90 ngày | Incidents, 90 days
        incidents_90_days.open:int | Sự cố chưa xử lý xong | Open incidents
        incidents_90_days.mean_time_to_acknowledge_minutes:number | Tiếp nhận TB (phút) | Mean time to acknowledge (min)
        incidents_90_days.mean_time_to_resolve_hours:number | Xử lý TB (giờ) | Mean time to resolve (h)
        readiness_score:number | Điểm sẵn sàng | Readiness score
        """),
    ),
    TableSpec(
        "trends",
        "Diễn biến theo tháng",
        "Monthly trends",
        "trends",
        ("months",),
        columns("""
        month | Tháng | Month
        month_end:date | Ngày cuối tháng | Month end
        headcount:int | Số cán bộ CĐS | CĐS officers
        dedicated:int | Chuyên trách | Dedicated
        dedicated_share:number | Tỷ lệ chuyên trách | Dedicated share
        information_security:int | An toàn thông tin | Information security
        trained:int | Đã qua bồi dưỡng (12 tháng) | Trained (12 months)
        trained_share:number | Tỷ lệ được bồi dưỡng | Trained share
        departures:int | Nghỉ việc | Departures
        hires:int | Tuyển mới | Hires
        """),
    ),
    TableSpec(
        "units",
        "Cây đơn vị",
        "Unit tree",
        "units",
        ("units",),
        columns(
            _UNIT
            + """
        name_en | Tên tiếng Anh | English name
        parent_id | Đơn vị cấp trên | Parent unit
        """
        ),
        shape="tree",
    ),
)

SPECS: dict[str, TableSpec] = {s.name: s for s in _SPECS}
