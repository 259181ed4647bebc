"""Comparative briefs (vi, en) and REPORTS_DIR/index.html from the processed tables.

    build_briefs(processed_dir, reports_dir, raw_dir=None, report_ids="", langs="vi,en", title="")
    python -m grassroots.brief [--processed DIR] [--reports DIR] [--raw DIR] [--ids A,B]
                               [--langs vi,en] [--title TEXT]

notebooks/40-brief.ipynb calls build_briefs() once; the pipeline's brief stage expects
REPORTS_DIR/briefs/brief-vi.html, REPORTS_DIR/briefs/brief-en.html and REPORTS_DIR/index.html.

Design choice: DESIGN.md section 7 sketches nbconvert turning the executed notebook into HTML.
The briefs are instead rendered directly from Python with Jinja2 (templates/brief.html.j2,
autoescape on), inside the notebook's single package call. This gives full control over
self-containment (inline CSS, charts as base64 SVG data URIs, no script, no CDN), escaping of
report text, and determinism: no timestamps, no random ids, no machine paths. Charts are drawn
with matplotlib (Agg, no pyplot state) with a fixed svg.hashsalt and metadata {'Date': None};
the XLSX workbook is written with openpyxl and its zip re-packed with fixed timestamps. Two
runs on the same tables give the same bytes.

Inputs: reports.csv, indicators.csv, findings.csv, citations.csv, models.csv, errors.csv,
corrections.csv in PROCESSED_DIR; any of them may be absent or empty. Outputs are written
atomically. With many reports (10,000) the brief aggregates and ranks: tables show at most
MAX_TABLE_ROWS reports, charts MAX_CHART_REPORTS, and point to the full CSV/XLSX data.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import statistics
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from grassroots import tables
from grassroots.codebook import CodebookError, Derived, Indicator
from grassroots.codebook import load as load_codebook
from grassroots.numbers import format_locale
from grassroots.paths import PACKAGE_DIR
from grassroots.pipeline.atomic import write_bytes

TEMPLATES_DIR = PACKAGE_DIR / "brief" / "templates"
LANGS = ("vi", "en")
MAX_TABLE_ROWS = 50         # reports per comparison table (more: the 25 highest and 25 lowest)
MAX_CHART_REPORTS = 30      # reports per chart
MAX_SENTENCE_REPORTS = 12   # above this, key findings are aggregated per comparable group
MAX_FINDINGS = 300          # findings listed in the data-quality section
MAX_ERRORS = 100
MAX_INSTRUMENTS = 50
MAX_INSTRUMENT_MATRIX = 8   # reports side by side in the instruments table
MAX_MODELS = 100
MAX_SUMMARY_THRESHOLD = 10  # a per-theme summary (median, range) when more reports than this
XLSX_NAME = "grassroots-tables.xlsx"
XLSX_BUDGET = 600_000       # cells in the workbook (openpyxl writes ~130k cells/s); CSVs are complete
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_ISO = "2000-01-01T00:00:00Z"
TABLE_ORDER = ["reports", "indicators", "findings", "citations", "models", "errors", "mentions",
               "corrections"]

# Okabe-Ito, a palette that stays distinguishable with the common colour-vision deficiencies.
OI = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
      "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}
SEVERITY_RANK = {"error": 0, "failure": 0, "warning": 1, "info": 2}
CODE_RE = re.compile(r"\b[a-z]+\.[a-z_]+\b")


# ------------------------------------------------------------------------------------ words

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "default_title": "Bản tin so sánh: dân vận chính quyền và dân chủ ở cơ sở",
        "subtitle": "Tổng hợp từ {n} báo cáo của chính quyền địa phương; số liệu, tỷ lệ tính toán và nguồn gốc từng con số.",
        "other_lang": "English version",
        "home": "Trang chính và dữ liệu tải về",
        "toc": "Mục lục",
        "sec_scope": "Phạm vi",
        "sec_findings": "Phát hiện chính",
        "sec_tables": "Bảng so sánh theo lĩnh vực",
        "sec_quality": "Chất lượng dữ liệu",
        "sec_caveats": "Lưu ý khi so sánh",
        "sec_instruments": "Văn bản được viện dẫn",
        "sec_models": "Mô hình “Dân vận khéo”",
        "sec_sources": "Nguồn và xuất xứ số liệu",
        "sec_methods": "Ghi chú phương pháp",
        "not_reported": "không báo cáo",
        "cannot_compute": "—",
        "legend": "Ô “không báo cáo”: báo cáo không nêu số liệu này (không phải bằng 0). Ô “—”: không tính được vì thiếu số liệu đầu vào hoặc mẫu số bằng 0. Cột nền xanh: tỷ lệ do bản tin tính từ số liệu báo cáo. ⚑: có phát hiện về chất lượng dữ liệu. Nhấn vào một con số để xem dòng và trích dẫn gốc.",
        "no_reports": "Không có báo cáo nào trong phạm vi.",
        "scope_summary": "Bản tin này bao gồm {n} báo cáo của {m} địa phương thuộc {p} tỉnh. Báo cáo mới nhất ban hành {date}.",
        "date_day": "ngày {d}", "date_month": "{d}", "date_year": "năm {d}",
        "scope_no_date": "Không báo cáo nào ghi ngày ban hành.",
        "scope_selected": "Chỉ gồm các báo cáo được chọn: {ids}.",
        "by_level": "Theo cấp hành chính",
        "by_period": "Theo độ dài kỳ báo cáo",
        "by_type": "Theo loại báo cáo",
        "by_province": "Theo tỉnh",
        "count": "Số báo cáo",
        "reports_table": "Danh sách báo cáo",
        "col_locality": "Địa phương",
        "col_district": "Huyện",
        "col_province": "Tỉnh",
        "col_unit_2025": "Đơn vị sau sắp xếp 2025",
        "col_level": "Cấp",
        "col_period": "Kỳ báo cáo",
        "col_type": "Loại báo cáo",
        "col_issue_date": "Ngày ban hành",
        "col_doc": "Số hiệu",
        "col_report": "Báo cáo",
        "col_report_id": "Mã báo cáo",
        "col_indicator": "Chỉ tiêu",
        "col_n": "Số báo cáo có số liệu",
        "col_median": "Trung vị",
        "col_min": "Thấp nhất",
        "col_max": "Cao nhất",
        "col_value_written": "Như trong báo cáo",
        "col_value": "Giá trị chuẩn hóa",
        "col_line": "Dòng",
        "col_quote": "Trích dẫn",
        "col_title": "Tiêu đề",
        "col_issuer": "Cơ quan ban hành",
        "col_sha": "SHA-256 của tệp gốc",
        "col_raw_check": "Kiểm tra tệp gốc",
        "col_url": "Nguồn (URL)",
        "col_severity": "Mức độ",
        "col_check": "Kiểm tra",
        "col_figures": "Số liệu liên quan",
        "col_message": "Nội dung",
        "col_expected": "Kỳ vọng",
        "col_observed": "Thực tế",
        "col_stage": "Bước",
        "col_error": "Lỗi",
        "col_instrument": "Văn bản",
        "col_kind": "Loại",
        "col_number": "Số",
        "col_year": "Năm",
        "col_issuer_code": "Ký hiệu",
        "col_cited_by": "Số báo cáo viện dẫn",
        "col_name": "Tên mô hình",
        "col_owner": "Chủ thể",
        "col_place": "Địa bàn",
        "col_field": "Lĩnh vực",
        "col_models": "Số mô hình",
        "computed": "tính toán",
        "per10k": "trên 10.000 dân",
        "per10k_suffix": "{title} trên 10.000 dân",
        "raw_ok": "khớp",
        "raw_differs": "khác (tệp đã thay đổi)",
        "raw_absent": "không có tệp",
        "truncated": "Hiển thị {shown} trên {total} báo cáo có số liệu về lĩnh vực này: {top} báo cáo cao nhất và {bottom} thấp nhất theo “{key}”. Toàn bộ số liệu trong {links}.",
        "truncated_plain": "Hiển thị {shown} trên {total} mục. Toàn bộ trong {links}.",
        "without_key": "{n} báo cáo không có “{key}” không được xếp hạng.",
        "gap_row": "… {n} báo cáo khác …",
        "theme_empty": "Không báo cáo nào trong phạm vi nêu số liệu về lĩnh vực này.",
        "not_in_any": "Không báo cáo nào nêu: {titles}.",
        "theme_summary": "Tóm tắt trên tất cả {n} báo cáo trong phạm vi (không phân biệt cấp và kỳ; xem lưu ý khi so sánh)",
        "table_findings": "Phát hiện về chất lượng dữ liệu trong bảng này",
        "more_findings": "… và {n} phát hiện khác trong mục Chất lượng dữ liệu.",
        "per_report": "Theo từng báo cáo",
        "comparisons": "So sánh giữa các báo cáo cùng cấp và cùng độ dài kỳ",
        "no_comparison": "Không có hai báo cáo nào cùng cấp và cùng độ dài kỳ có cùng chỉ tiêu, nên bản tin không so sánh.",
        "not_compared": "Không so sánh (không có báo cáo khác cùng cấp và cùng độ dài kỳ): {list}.",
        "nothing_headline": "Báo cáo không nêu số liệu chính nào trong các lĩnh vực trên.",
        "aggregate_intro": "Phạm vi có {n} báo cáo, nhiều hơn {max}: các phát hiện dưới đây được tổng hợp theo nhóm báo cáo cùng cấp và cùng độ dài kỳ.",
        "cmp_list": "{group} ({n} báo cáo) — {metric}: {values}.",
        "cmp_agg": "{group} — {metric}: có ở {k}/{n} báo cáo; trung vị {median}, từ {min} ({min_loc}) đến {max} ({max_loc}).",
        "report_types_differ": " Loại báo cáo khác nhau: {types}.",
        "s_pet_eligible": "{Loc} đã giải quyết {r}/{d} đơn đủ điều kiện xử lý ({p}{rep}).",
        "s_pet_received": "{Loc} đã giải quyết {r}/{d} đơn tiếp nhận ({p}{rep}).",
        "s_pet_only_received": "{Loc} tiếp nhận {n} đơn thư{s}.",
        "s_pet_prev": "{Loc} tiếp nhận {n} đơn, so với {prev} đơn cùng kỳ năm trước.",
        "s_rep_rate": "; báo cáo ghi {v}",
        "s_rec_cases": "{Loc} đã giải quyết {r}/{d} vụ việc qua tiếp công dân ({p}{rep}).",
        "s_rec_sessions": "{Loc} tổ chức {n} lượt tiếp công dân.",
        "s_adm_timely": "{Loc} đã giải quyết {res} hồ sơ thủ tục hành chính, trong đó {t} hồ sơ ({p}) trước hạn hoặc đúng hạn{late}.",
        "s_adm_late": " và {n} hồ sơ quá hạn",
        "s_adm_online": "{Loc} tiếp nhận {n} hồ sơ, trong đó {o} hồ sơ trực tuyến ({p}).",
        "s_med": "{Loc} hòa giải {c} vụ việc, thành công {s} vụ ({p}).",
        "s_models": "{Loc} có {n} mô hình “Dân vận khéo”{parts}.",
        "s_models_parts": " ({c} tập thể, {i} cá nhân)",
        "s_ntm": "{Loc}: {n}/{d} xã đạt chuẩn nông thôn mới ({p}).",
        "s_insp": "{Loc} tiến hành {n} cuộc thanh tra, thu hồi {m}.",
        "s_insp_money": "{Loc} thu hồi, xử lý kinh tế {m} qua thanh tra.",
        "s_contrib": "Nhân dân {loc} đóng góp {m}.",
        "line_ref": "dòng {line}",
        "money_unit": "đồng",
        "area_unit": "km²",
        "group": "Các báo cáo {level}, kỳ {period}",
        "chart_rates_title": "Tỷ lệ giải quyết do bản tin tính (%)",
        "chart_rates_caption": "Tỷ lệ do bản tin tính từ số liệu báo cáo, cùng thang 0–100%. “không báo cáo”: thiếu số liệu đầu vào. Các báo cáo khác cấp hoặc khác độ dài kỳ: xem lưu ý khi so sánh.",
        "chart_rates_alt": "Biểu đồ thanh ngang: tỷ lệ giải quyết do bản tin tính, theo báo cáo, thang 0–100%. {items}",
        "chart_time_title": "Hồ sơ đã giải quyết theo thời hạn (% tổng các phần)",
        "chart_time_caption": "Tỷ trọng hồ sơ trước hạn, đúng hạn và quá hạn trên tổng ba phần; cùng thang 0–100%.",
        "chart_time_alt": "Biểu đồ thanh chồng: tỷ trọng hồ sơ giải quyết trước hạn, đúng hạn, quá hạn theo báo cáo. {items}",
        "chart_med_title": "Kết quả hòa giải (% tổng các phần)",
        "chart_med_caption": "Tỷ trọng vụ việc hòa giải thành, không thành và đang giải quyết; cùng thang 0–100%.",
        "chart_med_alt": "Biểu đồ thanh chồng: kết quả hòa giải ở cơ sở theo báo cáo. {items}",
        "chart_models_title": "Mô hình “Dân vận khéo” tập thể theo lĩnh vực (số mô hình)",
        "chart_models_caption": "Số mô hình theo lĩnh vực, cùng một trục cho mọi địa phương.",
        "chart_models_alt": "Biểu đồ thanh ngang nhóm: số mô hình “Dân vận khéo” theo lĩnh vực và báo cáo. {items}",
        "chart_more": " Biểu đồ hiển thị {shown} trên {total} báo cáo.",
        "early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn",
        "successful": "thành", "unsuccessful": "không thành", "pending": "đang giải quyết",
        "quality_summary": "{f} phát hiện từ bước kiểm định ({sev}); {e} tệp không đọc hoặc không trích xuất được.",
        "quality_none": "Bước kiểm định chưa ghi phát hiện nào (findings.csv trống hoặc chưa có).",
        "quality_findings": "Các phát hiện",
        "quality_errors": "Tệp không đọc được",
        "errors_none": "Không có tệp lỗi.",
        "severity": {"error": "lỗi", "failure": "lỗi", "warning": "cảnh báo", "info": "thông tin"},
        "instruments_intro": "{n} văn bản được {r} báo cáo viện dẫn. Một văn bản được xác định bởi cơ quan ban hành, số và ngày (số văn bản của Đảng lặp lại qua các nhiệm kỳ).",
        "instruments_none": "Chưa có văn bản viện dẫn nào được trích xuất (citations.csv trống hoặc chưa có).",
        "instruments_ranked": "Xếp theo số báo cáo viện dẫn.",
        "models_intro": "{n} mô hình được nêu tên trong {r} báo cáo.",
        "models_none": "Chưa có mô hình nào được nêu tên trong bảng models.csv (trống hoặc chưa có). Số lượng mô hình theo lĩnh vực nằm ở bảng “Mô hình Dân vận khéo” phía trên.",
        "models_by_field": "Số mô hình theo lĩnh vực",
        "sources_intro": "Mỗi con số trong bản tin dẫn về báo cáo, dòng trong tệp gốc và câu trích dẫn dưới đây. Tệp gốc không bao giờ bị sửa; mã SHA-256 cho phép kiểm tra đúng tệp đã dùng.",
        "sources_figures": "Con số và trích dẫn",
        "sources_reports": "Tệp gốc và mã kiểm tra",
        "code_version": "Phiên bản mã nguồn tạo bản tin: {v} (SHA-256 rút gọn của mã và bộ mã chỉ tiêu).",
        "newest": "Báo cáo mới nhất ban hành {date}.",
        "caveat_level": "Báo cáo ở nhiều cấp ({levels}): số liệu cấp tỉnh gộp nhiều huyện, cấp huyện gộp nhiều xã, nên số tuyệt đối không so sánh được giữa các cấp; chỉ so sánh tỷ lệ và số trên 10.000 dân, và thận trọng.",
        "caveat_period": "Kỳ báo cáo có độ dài khác nhau ({periods}): số liệu 6 tháng không so sánh trực tiếp với số liệu cả năm; bản tin chỉ so sánh các báo cáo cùng cấp và cùng độ dài kỳ.",
        "caveat_type": "Loại báo cáo khác nhau ({types}): mỗi loại báo cáo chú trọng nội dung khác nhau, nên “không báo cáo” thường nghĩa là nội dung ngoài phạm vi của báo cáo đó, không phải không có hoạt động.",
        "caveat_denominators": "Các báo cáo tính tỷ lệ giải quyết đơn trên những mẫu số khác nhau (đơn đủ điều kiện, đơn tiếp nhận, đơn thuộc thẩm quyền). Bản tin tính lại từng tỷ lệ với mẫu số ghi rõ và đặt cạnh tỷ lệ báo cáo.",
        "caveat_population": "Số trên 10.000 dân dùng dân số do chính báo cáo nêu (có thể ở thời điểm khác kỳ báo cáo).",
        "caveat_2025": "Từ 1/7/2025 cấp huyện không còn và nhiều tỉnh, xã được sáp nhập. Cột “Đơn vị sau sắp xếp 2025” cho biết đơn vị hiện nay; số liệu vẫn là của đơn vị cũ tại thời điểm báo cáo.",
        "caveat_extraction": "Số liệu được trích xuất tự động từ văn bản và có thể sót hoặc gán nhầm; mọi con số đều dẫn về dòng và câu gốc để kiểm tra.",
        "caveat_same_scope": "Tất cả báo cáo trong phạm vi cùng cấp, cùng độ dài kỳ và cùng loại.",
        "methods": [
            "Làm sạch: văn bản gốc (data/raw) được chuẩn hóa Unicode (NFC), bỏ ký hiệu định dạng, nối đoạn bị ngắt trang và sửa các lỗi nhận dạng ký tự đã khai báo; mọi thay đổi ghi trong corrections.csv ({corrections} sửa đổi) kèm số dòng gốc. Tệp gốc không bị sửa.",
            "Trích xuất: mọi con số được đọc theo quy ước Việt Nam (dấu chấm phân cách hàng nghìn, dấu phẩy thập phân; Babel, chế độ nghiêm ngặt); các ngoại lệ (“292.2km2”) được xử lý bằng quy tắc khai báo và ghi lại. Bộ mã chỉ tiêu (codebook.yml: {indicators} chỉ tiêu, {themes} lĩnh vực) gán con số cho chỉ tiêu theo cụm từ gợi ý; mỗi chỉ tiêu giữ dòng và câu gốc.",
            "Kiểm định: bộ kiểm tra Great Expectations sinh từ bộ mã chỉ tiêu (miền giá trị, tổng các phần, đã giải quyết ≤ tiếp nhận, tỷ lệ báo cáo so với tỷ lệ tính từ số đếm). Mỗi sai lệch là một phát hiện trong findings.csv và trong bản tin.",
            "Tỷ lệ tính toán: {formulas}. Số trên 10.000 dân = số liệu / dân số do báo cáo nêu × 10.000.",
            "Không bao gồm: số liệu chỉ có trong bảng biểu hoặc hình ảnh chưa được chép lại; đánh giá định tính; chỉ tiêu kế hoạch; số liệu ngoài bộ mã chỉ tiêu (có trong mentions.csv); đối chiếu với thống kê chính thức khác; xu hướng theo thời gian ngoài số liệu “cùng kỳ năm trước” do báo cáo tự nêu.",
        ],
        "levels": {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã", "": "không rõ cấp"},
        "period_kinds": {12: "cả năm", 6: "6 tháng", 3: "quý", 9: "9 tháng", 1: "tháng"},
        "period_months": "{n} tháng",
        "period_unknown": "không rõ",
        "types": {"qcdc": "Quy chế dân chủ ở cơ sở", "dan_van_chinh_quyen": "Dân vận chính quyền",
                  "dan_van": "Công tác dân vận", "other": "Khác", "": "không rõ"},
        "kinds": {},
        "fields": {"economic": "kinh tế", "culture_social": "văn hóa - xã hội",
                   "defense_security": "quốc phòng - an ninh", "political_system": "xây dựng hệ thống chính trị"},
        "index_title": "Bản tin và dữ liệu",
        "index_briefs": "Bản tin",
        "index_data": "Dữ liệu tải về",
        "index_xlsx": "Tất cả các bảng trong một tệp Excel",
        "index_rows": "Số dòng",
        "index_size": "Dung lượng",
        "index_table": "Bảng",
        "index_about": "Nội dung",
        "index_reports": "{n} báo cáo trong các bản tin.",
        "xlsx_excluded": "Bảng {name} quá lớn cho tệp Excel ({rows} dòng), không có trong tệp này: dùng tệp CSV.",
    },
    "en": {
        "default_title": "Comparative brief: mass mobilisation and grassroots democracy in local reports",
        "subtitle": "Compiled from {n} local government reports: figures, computed rates and the source of every number.",
        "other_lang": "Bản tiếng Việt",
        "home": "Home page and data downloads",
        "toc": "Contents",
        "sec_scope": "Scope",
        "sec_findings": "Key findings",
        "sec_tables": "Comparison tables by theme",
        "sec_quality": "Data quality",
        "sec_caveats": "Comparability caveats",
        "sec_instruments": "Legal and Party instruments cited",
        "sec_models": "“Dân vận khéo” (skilful mass mobilisation) models",
        "sec_sources": "Sources and provenance",
        "sec_methods": "Methods note",
        "not_reported": "not reported",
        "cannot_compute": "—",
        "legend": "“not reported”: the report does not state this figure (it is not zero). “—”: cannot be computed because an input is not reported or a denominator is zero. Shaded columns: rates computed by this brief from the reported counts. ⚑: a data-quality finding concerns this figure. Select a figure to see its source line and quote.",
        "no_reports": "No report is in scope.",
        "scope_summary": "This brief covers {n} reports from {m} localities in {p} provinces. The newest report was issued {date}.",
        "date_day": "on {d}", "date_month": "in {d}", "date_year": "in {d}",
        "scope_no_date": "No report states its issue date.",
        "scope_selected": "Only the selected reports: {ids}.",
        "by_level": "By administrative level",
        "by_period": "By period length",
        "by_type": "By report type",
        "by_province": "By province",
        "count": "Reports",
        "reports_table": "Reports",
        "col_locality": "Locality",
        "col_district": "District",
        "col_province": "Province",
        "col_unit_2025": "Unit after the 2025 reorganisation",
        "col_level": "Level",
        "col_period": "Period",
        "col_type": "Report type",
        "col_issue_date": "Issued",
        "col_doc": "Document no.",
        "col_report": "Report",
        "col_report_id": "Report id",
        "col_indicator": "Indicator",
        "col_n": "Reports stating it",
        "col_median": "Median",
        "col_min": "Lowest",
        "col_max": "Highest",
        "col_value_written": "As written",
        "col_value": "Normalised value",
        "col_line": "Line",
        "col_quote": "Quote",
        "col_title": "Title",
        "col_issuer": "Issuer",
        "col_sha": "SHA-256 of the raw file",
        "col_raw_check": "Raw file check",
        "col_url": "Source (URL)",
        "col_severity": "Severity",
        "col_check": "Check",
        "col_figures": "Figures concerned",
        "col_message": "Finding",
        "col_expected": "Expected",
        "col_observed": "Observed",
        "col_stage": "Stage",
        "col_error": "Error",
        "col_instrument": "Instrument",
        "col_kind": "Kind",
        "col_number": "Number",
        "col_year": "Year",
        "col_issuer_code": "Issuer code",
        "col_cited_by": "Reports citing it",
        "col_name": "Model",
        "col_owner": "Owner",
        "col_place": "Place",
        "col_field": "Field",
        "col_models": "Models",
        "computed": "computed",
        "per10k": "per 10,000 residents",
        "per10k_suffix": "{title} per 10,000 residents",
        "raw_ok": "matches",
        "raw_differs": "differs (file changed)",
        "raw_absent": "file absent",
        "truncated": "Showing {shown} of {total} reports that state figures on this theme: the {top} highest and {bottom} lowest by “{key}”. Full data in {links}.",
        "truncated_plain": "Showing {shown} of {total} rows. Full data in {links}.",
        "without_key": "{n} reports without “{key}” are not ranked.",
        "gap_row": "… {n} more reports …",
        "theme_empty": "No report in scope states figures on this theme.",
        "not_in_any": "Not stated by any report: {titles}.",
        "theme_summary": "Summary over all {n} reports in scope (all levels and periods together; see the comparability caveats)",
        "table_findings": "Data-quality findings in this table",
        "more_findings": "… and {n} more findings in the Data quality section.",
        "per_report": "Report by report",
        "comparisons": "Comparisons between reports at the same level and with the same period length",
        "no_comparison": "No two reports at the same level and with the same period length share an indicator, so the brief makes no comparison.",
        "not_compared": "Not compared (no other report at the same level with the same period length): {list}.",
        "nothing_headline": "The report states none of the headline figures above.",
        "aggregate_intro": "The scope holds {n} reports, more than {max}: the findings below are aggregated per group of reports at the same level and with the same period length.",
        "cmp_list": "{group} ({n} reports) — {metric}: {values}.",
        "cmp_agg": "{group} — {metric}: available for {k} of {n} reports; median {median}, from {min} ({min_loc}) to {max} ({max_loc}).",
        "report_types_differ": " The report types differ: {types}.",
        "s_pet_eligible": "{Loc} resolved {r} of {d} eligible petitions ({p}{rep}).",
        "s_pet_received": "{Loc} resolved {r} of {d} petitions received ({p}{rep}).",
        "s_pet_only_received": "{Loc} received {n} petition{s}.",
        "s_pet_prev": "{Loc} received {n} petitions, against {prev} in the same period of the previous year.",
        "s_rep_rate": "; the report states {v}",
        "s_rec_cases": "{Loc} resolved {r} of {d} cases raised at citizen receptions ({p}{rep}).",
        "s_rec_sessions": "{Loc} held {n} citizen reception sessions.",
        "s_adm_timely": "{Loc} resolved {res} administrative dossiers, {t} of them ({p}) early or on time{late}.",
        "s_adm_late": " and {n} late",
        "s_adm_online": "{Loc} received {n} dossiers, {o} of them online ({p}).",
        "s_med": "{Loc} mediated {c} cases, {s} of them successfully ({p}).",
        "s_models": "{Loc} reported {n} “Dân vận khéo” models{parts}.",
        "s_models_parts": " ({c} collective, {i} individual)",
        "s_ntm": "{Loc}: {n} of {d} communes meet the new rural standard ({p}).",
        "s_insp": "{Loc} conducted {n} inspections and recovered {m}.",
        "s_insp_money": "{Loc} recovered {m} through inspections.",
        "s_contrib": "People in {loc} contributed {m}.",
        "line_ref": "line {line}",
        "money_unit": "VND",
        "area_unit": "km²",
        "group": "{level} reports covering {period}",
        "chart_rates_title": "Resolution rates computed by this brief (%)",
        "chart_rates_caption": "Rates computed by this brief from the reported counts, on one 0–100% scale. “not reported”: an input is missing. Reports at other levels or with other period lengths: see the comparability caveats.",
        "chart_rates_alt": "Horizontal bar chart: resolution rates computed by this brief, per report, on a 0–100% scale. {items}",
        "chart_time_title": "Dossiers resolved by timeliness (% of the parts)",
        "chart_time_caption": "Shares of dossiers resolved early, on time and late, of the sum of the three; one 0–100% scale.",
        "chart_time_alt": "Stacked bar chart: shares of administrative dossiers resolved early, on time and late, per report. {items}",
        "chart_med_title": "Mediation outcomes (% of the parts)",
        "chart_med_caption": "Shares of mediation cases successful, unsuccessful and pending; one 0–100% scale.",
        "chart_med_alt": "Stacked bar chart: grassroots mediation outcomes per report. {items}",
        "chart_models_title": "Collective “Dân vận khéo” models by field (number of models)",
        "chart_models_caption": "Models per field, on one axis for every locality.",
        "chart_models_alt": "Grouped bar chart: “Dân vận khéo” models by field and report. {items}",
        "chart_more": " The chart shows {shown} of {total} reports.",
        "early": "early", "on_time": "on time", "late": "late",
        "successful": "successful", "unsuccessful": "unsuccessful", "pending": "pending",
        "quality_summary": "{f} findings from validation ({sev}); {e} files could not be read or extracted.",
        "quality_none": "Validation has recorded no finding (findings.csv is empty or absent).",
        "quality_findings": "Findings",
        "quality_errors": "Files that could not be read",
        "errors_none": "No file failed.",
        "severity": {"error": "error", "failure": "error", "warning": "warning", "info": "info"},
        "instruments_intro": "{n} instruments cited by {r} reports. An instrument is identified by issuer, number and date (Party document numbers repeat across terms).",
        "instruments_none": "No cited instrument has been extracted (citations.csv is empty or absent).",
        "instruments_ranked": "Ranked by the number of reports citing them.",
        "models_intro": "{n} models named in {r} reports.",
        "models_none": "No model is named in models.csv (empty or absent). Model counts by field are in the “Dân vận khéo” table above.",
        "models_by_field": "Models by field",
        "sources_intro": "Every figure in this brief leads to its report, the line in the raw file and the quote below. Raw files are never edited; the SHA-256 checksums identify the exact files used.",
        "sources_figures": "Figures and quotes",
        "sources_reports": "Raw files and checksums",
        "code_version": "Code version that produced this brief: {v} (short SHA-256 of the code and the codebook).",
        "newest": "The newest report was issued {date}.",
        "caveat_level": "The reports come from several levels ({levels}): a province aggregates districts and a district aggregates communes, so absolute figures do not compare across levels; compare rates and per-10,000 figures only, and with care.",
        "caveat_period": "The periods differ in length ({periods}): half-year figures do not compare directly with whole-year figures; the brief compares only reports at the same level with the same period length.",
        "caveat_type": "The report types differ ({types}): each kind of report covers different topics, so “not reported” often means outside that report's remit, not that nothing happened.",
        "caveat_denominators": "Reports compute petition resolution rates on different denominators (eligible petitions, all received, those in their remit). The brief recomputes each rate with its denominator named and shows it beside the reported rate.",
        "caveat_population": "Per-10,000 figures use the population stated in the same report (possibly at another date than the period).",
        "caveat_2025": "Since 1 July 2025 the district level no longer exists and many provinces and communes have merged. The column “Unit after the 2025 reorganisation” gives today's unit; the figures remain those of the former unit at the time of the report.",
        "caveat_extraction": "Figures are extracted automatically from the text and may be missed or misassigned; every figure leads to its source line and quote for checking.",
        "caveat_same_scope": "All reports in scope share level, period length and report type.",
        "methods": [
            "Cleaning: raw texts (data/raw) are normalised (Unicode NFC), transcription markup is stripped, paragraphs broken by page breaks are joined and declared OCR corrections are applied; every change is logged in corrections.csv ({corrections} changes) with its raw line. Raw files are never edited.",
            "Extraction: every number is read with Vietnamese conventions (point groups thousands, comma is the decimal mark; Babel, strict mode); convention breaks (“292.2km2”) go through declared fallback rules whose use is recorded. The codebook (codebook.yml: {indicators} indicators in {themes} themes) assigns numbers to indicators by cue phrases; each figure keeps its raw line and quote.",
            "Validation: Great Expectations suites generated from the codebook (value ranges, parts summing to totals, resolved ≤ received, reported rates against rates computed from counts). Every failure is a finding in findings.csv and in this brief.",
            "Computed rates: {formulas}. Per 10,000 residents = figure / population stated by the report × 10,000.",
            "Not covered: figures only in tables or images that were not transcribed; qualitative assessments; targets and plans; figures outside the codebook (they are in mentions.csv); cross-checks against other official statistics; trends over time beyond the “same period last year” figures reports state themselves.",
        ],
        "levels": {"province": "province", "district": "district", "commune": "commune", "": "unknown level"},
        "period_kinds": {12: "a full year", 6: "six months", 3: "a quarter", 9: "nine months", 1: "a month"},
        "period_months": "{n} months",
        "period_unknown": "an unknown period",
        "types": {"qcdc": "grassroots democracy regulation (QCDC)", "dan_van_chinh_quyen": "government mass mobilisation",
                  "dan_van": "mass mobilisation work", "other": "other", "": "unknown"},
        "kinds": {"Luật": "Law", "Pháp lệnh": "Ordinance", "Nghị định": "Decree", "Nghị quyết": "Resolution",
                  "Chỉ thị": "Directive", "Kết luận": "Conclusion", "Quyết định": "Decision", "Kế hoạch": "Plan",
                  "Công văn": "Official letter", "Hướng dẫn": "Guidance", "Quy định": "Regulation"},
        "fields": {"economic": "economic development", "culture_social": "culture and society",
                   "defense_security": "defence and security", "political_system": "building the political system"},
        "index_title": "Briefs and data",
        "index_briefs": "Briefs",
        "index_data": "Data downloads",
        "index_xlsx": "All tables in one Excel workbook",
        "index_rows": "Rows",
        "index_size": "Size",
        "index_table": "Table",
        "index_about": "Contents",
        "index_reports": "{n} reports in the briefs.",
        "xlsx_excluded": "Table {name} is too large for the workbook ({rows} rows) and is left out: use the CSV file.",
    },
}

# English words for the codebook's unit nouns (column headers of the en brief).
# English words for the codebook's unit nouns come from the codebook (one declaration).
UNIT_EN = {unit: names[0] for unit, names in load_codebook().units.items()}
UNIT_EN_ONE = {names[0]: names[1] for names in load_codebook().units.values()}

TABLE_ABOUT = {name: (tables.TABLES[name].vi, tables.TABLES[name].en) for name in TABLE_ORDER}


# ------------------------------------------------------------------------- derived figures

# Declared in the codebook (derived, per10k): computed rates first, then per 10,000 residents.
DERIVED: list[Derived] = list(load_codebook().derived)


# ------------------------------------------------------------------------------ data model

@dataclass(frozen=True)
class Fig:
    value: Decimal
    denominator: Decimal | None
    line: str
    quote: str
    surface: str


@dataclass
class Report:
    id: str
    row: dict
    slug: str
    level: str
    months: int | None
    short: str
    label: str = ""

    def get(self, key: str) -> str:
        return self.row.get(key, "") or ""


@dataclass
class Finding:
    n: int
    row: dict
    codes: tuple[str, ...]
    severity: str

    @property
    def report_id(self) -> str:
        return self.row.get("report_id", "") or ""


def read_table(path: Path) -> list[dict]:
    """A processed CSV as a list of dicts of strings; [] when the file is absent or empty."""
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: (v or "") for k, v in row.items() if k is not None} for row in csv.DictReader(fh)]


def _dec(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def slug_of(report_id: str) -> str:
    """An HTML id fragment for a report id (any file name); unchanged when already safe."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", report_id).strip("-")
    if slug != report_id or not slug:
        slug = f"{slug or 'r'}-{hashlib.sha256(report_id.encode('utf-8')).hexdigest()[:8]}"
    return slug


def _months(start: str, end: str) -> int | None:
    m1 = re.match(r"^(\d{4})-(\d{2})", start or "")
    m2 = re.match(r"^(\d{4})-(\d{2})", end or "")
    if not (m1 and m2):
        return None
    n = (int(m2.group(1)) - int(m1.group(1))) * 12 + int(m2.group(2)) - int(m1.group(2)) + 1
    return n if n > 0 else None


_PREFIXES = [("thành phố", "city"), ("thị xã", "town"), ("thị trấn", "township"), ("tp.", "city"),
             ("huyện", "district"), ("quận", "urban district"), ("phường", "ward"), ("xã", "commune"),
             ("tỉnh", "province")]


def _split_locality(locality: str) -> tuple[str, str]:
    """("huyện Triệu Sơn") -> ("Triệu Sơn", "district")."""
    low = locality.lower()
    for vi, en in _PREFIXES:
        if low.startswith(vi + " "):
            return locality[len(vi) + 1:].strip(), en
    return locality.strip(), ""


class Corpus:
    """The selected reports and everything the brief says about them."""

    def __init__(self, processed_dir: Path, report_ids: list[str] | None = None):
        self.cb = load_codebook()
        self.themes = self.cb.by_theme()
        all_reports = read_table(processed_dir / "reports.csv")
        by_id = {r.get("report_id", ""): r for r in all_reports if r.get("report_id")}
        if report_ids:
            unknown = [rid for rid in report_ids if rid not in by_id]
            if unknown:
                known = ", ".join(sorted(by_id)[:20]) or "(none)"
                raise ValueError(f"REPORT_IDS not in reports.csv: {', '.join(unknown)}; known ids include: {known}")
            rows = [by_id[rid] for rid in dict.fromkeys(report_ids)]
        else:
            rows = list(by_id.values())
        self.selected_ids = list(dict.fromkeys(report_ids)) if report_ids else []
        self.reports: list[Report] = []
        for row in rows:
            rid = row["report_id"]
            level = row.get("admin_level", "") if row.get("admin_level", "") in LEVEL_RANK else ""
            short, _ = _split_locality(row.get("locality", "") or "")
            self.reports.append(Report(rid, row, slug_of(rid), level,
                                       _months(row.get("period_start", ""), row.get("period_end", "")),
                                       short or row.get("district", "") or row.get("province", "") or rid))
        self.reports.sort(key=lambda r: (LEVEL_RANK.get(r.level, 9), -(r.months or 0), r.get("province"),
                                         r.short, r.get("period_start"), r.id))
        ids = {r.id for r in self.reports}
        self.by_id = {r.id: r for r in self.reports}

        self.values: dict[tuple[str, str], Fig] = {}
        for row in read_table(processed_dir / "indicators.csv"):
            rid, code = row.get("report_id", ""), row.get("indicator", "")
            if rid not in ids or code not in self.cb.indicators:
                continue
            value = _dec(row.get("value", ""))
            if value is None or (rid, code) in self.values:
                continue
            self.values[(rid, code)] = Fig(value, _dec(row.get("denominator", "")), row.get("line", ""),
                                           row.get("quote", ""), row.get("surface", ""))
        self.codes_reported = {code for _, code in self.values}

        findings = [f for f in read_table(processed_dir / "findings.csv")
                    if not f.get("report_id") or f.get("report_id") in ids]
        findings.sort(key=lambda f: (SEVERITY_RANK.get(f.get("severity", "").lower(), 3), f.get("report_id", ""),
                                     f.get("check", ""), f.get("indicators", ""), f.get("lines", "")))
        self.findings = [Finding(i + 1, f, tuple(c for c in dict.fromkeys(CODE_RE.findall(f.get("indicators", "")))),
                                 f.get("severity", "").lower()) for i, f in enumerate(findings)]
        self.findings_by_fig: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        self.findings_by_report: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            self.findings_by_report[f.report_id].append(f)
            for code in f.codes or ("",):  # "" = the report as a whole
                self.findings_by_fig[(f.report_id, code)].append(f)

        errors = read_table(processed_dir / "errors.csv")
        if report_ids:
            errors = [e for e in errors if e.get("report_id") in set(report_ids)]
        self.errors = errors
        self.citations = [c for c in read_table(processed_dir / "citations.csv") if c.get("report_id") in ids]
        self.models = [m for m in read_table(processed_dir / "models.csv") if m.get("report_id") in ids]
        corrections = processed_dir / "corrections.csv"
        self.n_corrections = _count_rows(corrections) if corrections.is_file() else 0
        self.order = {r.id: i for i, r in enumerate(self.reports)}
        self._derived: dict[tuple[str, str], Decimal | None] = {}

    def fig(self, report: Report, code: str) -> Fig | None:
        return self.values.get((report.id, code))

    def derived(self, report: Report, d: Derived) -> Decimal | None:
        key = (report.id, d.key)
        if key not in self._derived:
            self._derived[key] = self._compute(report, d)
        return self._derived[key]

    def _compute(self, report: Report, d: Derived) -> Decimal | None:
        num = [self.values.get((report.id, c)) for c in d.num]
        if any(f is None for f in num):
            return None
        total_num = sum((f.value for f in num), Decimal(0))
        den = Decimal(0)
        for c in d.den:
            if c.startswith("#"):
                f = self.values.get((report.id, c[1:]))
                if f is None or f.denominator is None:
                    return None
                den += f.denominator
            else:
                f = self.values.get((report.id, c))
                if f is None:
                    return None
                den += f.value
        if den == 0:
            return None
        return total_num / den * (Decimal(10000) if d.per10k else Decimal(100))

    def derived_inputs(self, d: Derived) -> list[str]:
        return list(d.num) + [c.lstrip("#") for c in d.den]


def listed(reports: list[Report]) -> list[Report]:
    """The reports listed by name in the scope and provenance tables: all, or the newest 50."""
    if len(reports) <= MAX_TABLE_ROWS:
        return list(reports)
    return sorted(reports, key=lambda r: (r.get("issue_date"), r.id), reverse=True)[:MAX_TABLE_ROWS]


def _count_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


# ------------------------------------------------------------------------------ formatting

class Lang:
    """Numbers, dates, periods and names in one language."""

    def __init__(self, code: str):
        self.code = code
        self.t = TEXT[code]

    def num(self, value: Decimal, decimals: int | None = None) -> str:
        if decimals is not None:
            value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        elif value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        return format_locale(value, self.code, decimals)

    def pct(self, value: Decimal, decimals: int | None = 1) -> str:
        return self.num(value, decimals) + "%"

    def money(self, value: Decimal) -> str:
        return f"{self.num(value, 0)} {self.t['money_unit']}"

    def fig(self, ind: Indicator, fig: Fig, unit: bool = False) -> str:
        """A reported figure: percents as printed, money and counts grouped, X/Y kept."""
        v = fig.value
        if ind.kind == "percent":
            return self.pct(v, None)
        if ind.kind == "money":
            text = self.num(v, 0)
            return f"{text} {self.t['money_unit']}" if unit else text
        if ind.kind in ("area", "average"):
            text = self.num(v, ind.decimals)
        else:
            text = self.num(v, 0 if v == v.to_integral_value() else None)
        if fig.denominator is not None:
            text += "/" + self.num(fig.denominator, 0 if fig.denominator == fig.denominator.to_integral_value() else None)
        if unit:
            noun = self.t["area_unit"] if ind.kind == "area" else self.unit(ind.unit)
            if self.code == "en" and v == 1 and fig.denominator is None:
                noun = UNIT_EN_ONE.get(noun, noun)
            text += " " + noun
        return text

    def unit(self, unit: str) -> str:
        if unit == "km2":
            return "km²"
        if unit == "VND":
            return self.t["money_unit"]
        return UNIT_EN.get(unit, unit) if self.code == "en" else unit

    def title(self, ind: Indicator) -> str:
        return ind.title_vi if self.code == "vi" else ind.title_en

    def theme_title(self, cb, theme: str) -> str:
        return cb.themes[theme]["title_vi" if self.code == "vi" else "title_en"]

    def derived_title(self, cb, d: Derived) -> str:
        if d.per10k:
            return self.t["per10k_suffix"].format(title=self.title(cb.indicators[d.num[0]]))
        return d.vi if self.code == "vi" else d.en

    def formula(self, d: Derived) -> str:
        return d.formula_vi if self.code == "vi" else d.formula_en

    def level(self, level: str) -> str:
        return self.t["levels"].get(level, level)

    def period_length(self, months: int | None) -> str:
        if months is None:
            return self.t["period_unknown"]
        return self.t["period_kinds"].get(months) or self.t["period_months"].format(n=months)

    def report_type(self, kind: str) -> str:
        return self.t["types"].get(kind, kind)

    def kind(self, kind: str) -> str:
        return self.t["kinds"].get(kind, kind)

    def date(self, text: str) -> str:
        """ISO date, possibly partial ("2021-01"), in the language's style; never the clock."""
        m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", text or "")
        if not m:
            return text or ""
        y, mo, d = m.groups()
        if self.code == "vi":
            if d:
                return f"{d}/{mo}/{y}"
            return f"tháng {mo}/{y}" if mo else y
        from babel.dates import get_month_names

        months = get_month_names("wide", locale="en")
        if d:
            return f"{int(d)} {months[int(mo)]} {y}"
        return f"{months[int(mo)]} {y}" if mo else y

    def date_phrase(self, text: str) -> str:
        """ "on 30 October 2020" / "in June 2023"; "ngày 30/10/2020" / "tháng 06/2023"."""
        parts = len((text or "").split("-"))
        key = "date_day" if parts >= 3 else "date_month" if parts == 2 else "date_year"
        return self.t[key].format(d=self.date(text))

    def period_short(self, r: Report) -> str:
        start, end, months = r.get("period_start"), r.get("period_end"), r.months
        m1 = re.match(r"^(\d{4})-(\d{2})", start)
        m2 = re.match(r"^(\d{4})-(\d{2})", end)
        if m1 and m2 and months:
            y, mo = m1.group(1), int(m1.group(2))
            same_year = m1.group(1) == m2.group(1)
            roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
            if months == 12 and mo == 1 and same_year:
                return y
            if months == 6 and mo in (1, 7) and same_year:
                if self.code == "vi":
                    return f"6 tháng {'đầu' if mo == 1 else 'cuối'} {y}"
                return f"H{1 if mo == 1 else 2} {y}"
            if months == 3 and mo in (1, 4, 7, 10) and same_year:
                q = (mo - 1) // 3 + 1
                return f"quý {roman[q]}/{y}" if self.code == "vi" else f"Q{q} {y}"
            if mo == 1 and same_year:
                return f"{months} tháng {y}" if self.code == "vi" else f"{months}M {y}"
            return f"{m1.group(2)}/{m1.group(1)}–{m2.group(2)}/{m2.group(1)}"
        return r.get("period_label") or self.t["period_unknown"]

    def locality(self, r: Report, capital: bool = False) -> str:
        """The locality as a sentence subject: "Huyện Triệu Sơn" / "Triệu Sơn district"."""
        loc = r.get("locality")
        if not loc:
            return r.short
        if self.code == "vi":
            return loc[:1].upper() + loc[1:] if capital else loc
        name, kind = _split_locality(loc)
        return f"{name} {kind}" if kind else name

    def group(self, level: str, months: int | None) -> str:
        return self.t["group"].format(level=self.level(level), period=self.period_length(months))


# -------------------------------------------------------------------------------- elements

@dataclass
class Cell:
    text: str = ""
    cls: str = ""
    href: str = ""
    id: str = ""
    title: str = ""
    th: bool = False
    colspan: int = 1
    flags: list = field(default_factory=list)   # [(label, href, title)]


@dataclass
class Header:
    text: str
    sub: str = ""
    cls: str = ""


@dataclass
class Row:
    cells: list
    cls: str = ""


@dataclass
class Table:
    caption: str
    headers: list
    rows: list
    notes: list = field(default_factory=list)
    id: str = ""
    cls: str = ""


@dataclass
class Sentence:
    text: str
    refs: list = field(default_factory=list)   # [(label, href)]


@dataclass
class Chart:
    src: str
    alt: str
    title: str
    caption: str


class Sources:
    """The figures the brief shows; each gets an anchor in the sources table."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.used: set[tuple[str, str]] = set()

    def href(self, report: Report, code: str) -> str:
        self.used.add((report.id, code))
        return f"#src-{report.slug}-{code}"


# --------------------------------------------------------------------------------- charts

_SVG_ID = re.compile(r'id="([a-z][0-9a-f]{10})"')


def _svg_data_uri(fig) -> str:
    """The figure as an SVG data URI, byte-stable: fixed hash salt, no date, and matplotlib's
    content-hashed ids (clip paths, markers) renumbered in order of appearance, so that float
    noise in the last digit of a layout cannot change the bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buf.getvalue().decode("utf-8")
    mapping: dict[str, str] = {}
    for old in _SVG_ID.findall(svg):
        mapping.setdefault(old, f"{old[0]}{len(mapping):04d}")
    if mapping:
        svg = re.sub(r'(?<=id=")([a-z][0-9a-f]{10})(?=")|(?<=#)([a-z][0-9a-f]{10})(?=[)"])',
                     lambda m: mapping.get(m.group(0), m.group(0)), svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _rc() -> dict:
    return {"svg.hashsalt": "grassroots-brief", "svg.fonttype": "path", "font.family": "DejaVu Sans",
            "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
            "axes.edgecolor": "#555555", "axes.titlesize": 10, "legend.frameon": False}


def _new_figure(n_rows: int, per_row: float):
    from matplotlib.figure import Figure

    height = min(0.75 + per_row * max(n_rows, 1), 60)
    return Figure(figsize=(7.5, height), dpi=96)


def _pct_axis(ax, lang: Lang) -> None:
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels([lang.pct(Decimal(v), 0) for v in (0, 25, 50, 75, 100)])
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def chart_rates(corpus: Corpus, reports: list[Report], lang: Lang, total: int) -> Chart | None:
    """Small multiples: one panel per computed rate, the same 0-100% axis in every panel."""
    series = [d for d in DERIVED if d.chart and any(corpus.derived(r, d) is not None for r in reports)]
    reports = [r for r in reports if any(corpus.derived(r, d) is not None for d in series)]
    if not series or not reports:
        return None
    import matplotlib

    colours = [OI["blue"], OI["orange"], OI["green"], OI["purple"], OI["vermillion"]]
    panels = [(d, [(r, corpus.derived(r, d)) for r in reports]) for d in series]
    # A fixed layout in inches (no constrained layout: its float noise would change the SVG's ids).
    row_in, title_in, gap_in, axis_in = 0.26, 0.3, 0.12, 0.35
    heights = [row_in * max(1, sum(1 for _, v in rows if v is not None)) for _, rows in panels]
    fig_h = sum(h + title_in + gap_in for h in heights) + axis_in
    items = []
    with matplotlib.rc_context(_rc()):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7.5, fig_h), dpi=96)
        axes, top = [], 0.0
        for h in heights:
            top += title_in
            axes.append(fig.add_axes((0.3, 1 - (top + h) / fig_h, 0.62, h / fig_h)))
            top += h + gap_in
        for j, (ax, (d, rows)) in enumerate(zip(axes, panels, strict=True)):
            present = [(r, v) for r, v in rows if v is not None]
            missing = [r for r, v in rows if v is None]
            formula = lang.formula(d)
            title = formula[:1].upper() + formula[1:]
            if missing:
                names = ", ".join(r.label for r in missing[:3]) + (" …" if len(missing) > 3 else "")
                title += f" — {lang.t['not_reported']}: {names}"
            ax.set_title(title, loc="left", fontsize=8.5, pad=4)
            ys = range(len(present))
            ax.barh(list(ys), [float(v) for _, v in present], height=0.62, color=colours[j % len(colours)])
            for y, (_, v) in zip(ys, present, strict=True):
                ax.text(min(float(v), 100) + 1, y, lang.pct(v), va="center", ha="left", fontsize=7.5)
            ax.set_yticks(list(ys))
            ax.set_yticklabels([r.label for r, _ in present])
            ax.set_ylim(len(present) - 0.5, -0.6)
            _pct_axis(ax, lang)
            ax.set_xlim(0, 112)
            if j < len(panels) - 1:
                ax.tick_params(axis="x", labelbottom=False)
            items.append(f"{title}: " + "; ".join(f"{r.label} {lang.pct(v)}" for r, v in present) + ".")
        src = _svg_data_uri(fig)
    more = lang.t["chart_more"].format(shown=len(reports), total=total) if total > len(reports) else ""
    return Chart(src, lang.t["chart_rates_alt"].format(items=" ".join(items)), lang.t["chart_rates_title"],
                 lang.t["chart_rates_caption"] + more)


def chart_stacked(corpus: Corpus, reports: list[Report], lang: Lang, codes: list[str], names: list[str],
                  colours: list[str], key: str, total: int) -> Chart | None:
    """Shares of parts (of their sum) per report, 0-100%, e.g. dossier timeliness."""
    rows = []
    for r in reports:
        figs = [corpus.fig(r, c) for c in codes]
        if sum(1 for f in figs if f is not None) < 2:
            continue
        values = [f.value if f is not None else None for f in figs]
        s = sum((v for v in values if v is not None), Decimal(0))
        if s <= 0:
            continue
        rows.append((r, values, s))
    if not rows:
        return None
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = _new_figure(len(rows), 0.32)
        ax = fig.add_subplot(1, 1, 1)
        items = []
        for i, (r, values, s) in enumerate(rows):
            left = 0.0
            parts = []
            for j, v in enumerate(values):
                label = lang.t[names[j]]
                if v is None:
                    parts.append(f"{label} {lang.t['not_reported']}")
                    continue
                share = v / s * 100
                ax.barh(i, float(share), left=left, height=0.6, color=colours[j], label=label if i == 0 else None,
                        edgecolor="white", linewidth=0.5)
                if share >= 8:
                    ax.text(left + float(share) / 2, i, lang.pct(share, 0), va="center", ha="center", fontsize=7,
                            color="white" if colours[j] in (OI["blue"], OI["vermillion"], OI["green"]) else "black")
                left += float(share)
                parts.append(f"{label} {lang.num(v, 0)} ({lang.pct(share)})")
            items.append(f"{r.label}: " + ", ".join(parts) + ".")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([r.label for r, _, _ in rows])
        ax.invert_yaxis()
        _pct_axis(ax, lang)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(codes), fontsize=8)
        src = _svg_data_uri(fig)
    more = lang.t["chart_more"].format(shown=len(rows), total=total) if total > len(rows) else ""
    return Chart(src, lang.t[f"chart_{key}_alt"].format(items=" ".join(items)), lang.t[f"chart_{key}_title"],
                 lang.t[f"chart_{key}_caption"] + more)


MODEL_FIELDS = ["models.economic", "models.culture_social", "models.defense_security", "models.political_system"]


def chart_models(corpus: Corpus, reports: list[Report], lang: Lang, total: int) -> Chart | None:
    rows = [r for r in reports if any(corpus.fig(r, c) is not None for c in MODEL_FIELDS)]
    if not rows:
        return None
    import matplotlib

    colours = [OI["blue"], OI["orange"], OI["green"], OI["purple"]]
    top = max(float(corpus.fig(r, c).value) for r in rows for c in MODEL_FIELDS if corpus.fig(r, c) is not None)
    with matplotlib.rc_context(_rc()):
        k = len(MODEL_FIELDS)
        fig = _new_figure(len(rows), 0.2 * k + 0.3)
        ax = fig.add_subplot(1, 1, 1)
        bar_h = 0.8 / k
        items = []
        for i, r in enumerate(rows):
            parts = []
            for j, code in enumerate(MODEL_FIELDS):
                y = i + (j - (k - 1) / 2) * bar_h
                label = lang.t["fields"][code.split(".")[1]]
                f = corpus.fig(r, code)
                if f is None:
                    ax.text(top * 0.01, y, lang.t["not_reported"], va="center", fontsize=7, color="#666666",
                            style="italic")
                    parts.append(f"{label} {lang.t['not_reported']}")
                    continue
                ax.barh(y, float(f.value), height=bar_h * 0.9, color=colours[j], label=label if i == 0 else None)
                ax.text(float(f.value) + top * 0.01, y, lang.num(f.value, 0), va="center", fontsize=7)
                parts.append(f"{label} {lang.num(f.value, 0)}")
            items.append(f"{r.label}: " + ", ".join(parts) + ".")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([r.label for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15 if top > 0 else 1)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.xaxis.set_major_formatter(_num_formatter(lang))
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)
        src = _svg_data_uri(fig)
    more = lang.t["chart_more"].format(shown=len(rows), total=total) if total > len(rows) else ""
    return Chart(src, lang.t["chart_models_alt"].format(items=" ".join(items)), lang.t["chart_models_title"],
                 lang.t["chart_models_caption"] + more)


def _num_formatter(lang: Lang):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: lang.num(Decimal(str(round(x, 6))), None if x != int(x) else 0))


# --------------------------------------------------------------------------------- builder

class BriefBuilder:
    """Everything one brief (one language) shows, as plain data for the template."""

    def __init__(self, corpus: Corpus, lang: Lang, title: str, other_langs: list[str]):
        self.c = corpus
        self.lang = lang
        self.t = lang.t
        self.title = title or self.t["default_title"]
        self.other_langs = other_langs
        self.sources = Sources(corpus)
        self.listed_reports: set[str] = set()
        self._label_reports()

    def _label_reports(self) -> None:
        labels = {}
        for r in self.c.reports:
            r.label = f"{r.short} · {self.lang.period_short(r)}"
            labels.setdefault(r.label, []).append(r)
        for label, reports in labels.items():
            if len(reports) > 1:
                for r in reports:
                    r.label = f"{label} ({r.id})"

    # ---- helpers
    def report_cell(self, r: Report) -> Cell:
        href = f"#rep-{r.slug}" if r.id in self.listed_reports else ""
        return Cell(r.label, th=True, href=href, cls="rowhead")

    def flags_for(self, r: Report, codes: Iterable[str]) -> list:
        out, seen = [], set()
        for code in codes:
            for f in self.c.findings_by_fig.get((r.id, code), []):
                if f.n not in seen:
                    seen.add(f.n)
                    out.append((str(f.n), f"#dq-{f.n}", self.message(f)))
        return out

    def plain_number(self, text: str) -> str:
        """A bare number from findings.csv ("94.11") in the brief's style ("94,11"); other text as is."""
        if re.fullmatch(r"-?\d+(?:\.\d+)?", text or ""):
            return self.lang.num(Decimal(text))
        return text

    def message(self, f: Finding) -> str:
        row = f.row
        key = "message_vi" if self.lang.code == "vi" else "message_en"
        return row.get(key) or row.get("message_en") or row.get("message_vi") or row.get("message") or row.get("check", "")

    def fig_cell(self, r: Report, code: str) -> Cell:
        ind = self.c.cb.indicators[code]
        f = self.c.fig(r, code)
        flags = self.flags_for(r, [code])
        if f is None:
            return Cell(self.t["not_reported"], cls="nr" + (" flag" if flags else ""), flags=flags)
        return Cell(self.lang.fig(ind, f), cls="num" + (" flag" if flags else ""),
                    href=self.sources.href(r, code), flags=flags)

    def derived_cell(self, r: Report, d: Derived) -> Cell:
        value = self.c.derived(r, d)
        flags = self.flags_for(r, self.c.derived_inputs(d))
        title = self.lang.formula(d) if not d.per10k else ""
        if value is None:
            return Cell(self.t["cannot_compute"], cls="computed na" + (" flag" if flags else ""), title=title, flags=flags)
        text = self.lang.num(value, 1) if d.per10k else self.lang.pct(value)
        return Cell(text, cls="num computed" + (" flag" if flags else ""), title=title, flags=flags)

    def links(self, names: list[str]) -> str:
        return ", ".join(f"{n}.csv" for n in names) + f", {XLSX_NAME}"

    # ---- 1. scope
    def scope(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        reports = c.reports
        if not reports:
            return {"summary": t["no_reports"], "tables": [], "reports": None, "selected": ""}
        localities = {(r.get("province"), r.get("district"), r.get("locality") or r.id) for r in reports}
        provinces = {r.get("province") for r in reports if r.get("province")}
        dates = [r.get("issue_date") for r in reports if re.match(r"^\d{4}", r.get("issue_date"))]
        newest = max(dates) if dates else ""
        summary = t["scope_summary"].format(n=lang.num(Decimal(len(reports)), 0), m=lang.num(Decimal(len(localities)), 0),
                                            p=lang.num(Decimal(len(provinces)), 0), date=lang.date_phrase(newest))
        if not newest:
            summary = summary.rsplit(".", 2)[0] + ". " + t["scope_no_date"]
        tables = []
        for key, dim, counter, fmt in (
            ("by_level", "col_level", Counter(r.level for r in reports), lang.level),
            ("by_period", "col_period", Counter(r.months for r in reports), lang.period_length),
            ("by_type", "col_type", Counter(r.get("report_type") for r in reports), lang.report_type),
            ("by_province", "col_province", Counter(r.get("province") for r in reports), lambda p: p or "—"),
        ):
            items = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
            rows = [Row([Cell(fmt(k)), Cell(lang.num(Decimal(n), 0), cls="num")]) for k, n in items[:20]]
            notes = [t["truncated_plain"].format(shown=20, total=len(items), links="reports.csv")] if len(items) > 20 else []
            tables.append(Table(t[key], [Header(t[dim]), Header(t["count"], cls="num")], rows, notes, cls="compact"))
        shown = listed(reports)
        self.listed_reports = {r.id for r in shown}
        rows = []
        for r in shown:
            unit_2025 = ", ".join(x for x in (r.get("ward_2025"), r.get("province_2025")) if x) or "—"
            rows.append(Row([
                Cell(r.get("locality") or r.short, th=True, id=f"rep-{r.slug}", cls="rowhead",
                     flags=self.flags_for(r, [""])),  # findings on the report as a whole
                Cell(r.get("district") or "—"), Cell(r.get("province") or "—"), Cell(unit_2025),
                Cell(lang.level(r.level)), Cell(lang.period_short(r)),
                Cell(lang.report_type(r.get("report_type"))), Cell(lang.date(r.get("issue_date")) or "—"),
                Cell(r.get("doc_number") or "—"), Cell(r.id, cls="code"),
            ]))
        notes = []
        if len(reports) > len(shown):
            notes.append(t["truncated_plain"].format(shown=len(shown), total=len(reports), links=self.links(["reports"])))
        reports_table = Table(t["reports_table"], [Header(t[k]) for k in (
            "col_locality", "col_district", "col_province", "col_unit_2025", "col_level", "col_period", "col_type",
            "col_issue_date", "col_doc", "col_report_id")], rows, notes, id="reports-table")
        selected = t["scope_selected"].format(ids=", ".join(c.selected_ids)) if c.selected_ids else ""
        return {"summary": summary, "tables": tables, "reports": reports_table, "selected": selected}

    # ---- 3. theme tables
    def theme_rank_key(self, theme: str, reporters: list[Report]):
        """The column that ranks a long table: its first computed rate, else its most stated figure."""
        for d in DERIVED:
            if d.theme == theme and not d.per10k and any(self.c.derived(r, d) is not None for r in reporters):
                return self.lang.derived_title(self.c.cb, d), (lambda r, d=d: self.c.derived(r, d))
        counts = Counter(code for r in reporters for code in self._theme_codes(theme) if self.c.fig(r, code))
        code = sorted(counts.items(), key=lambda kv: (-kv[1], self.c.cb.indicators[kv[0]].order))[0][0]
        return self.lang.title(self.c.cb.indicators[code]), (
            lambda r, code=code: self.c.fig(r, code).value if self.c.fig(r, code) else None)

    def _theme_codes(self, theme: str) -> list[str]:
        return [ind.code for ind in self.c.themes[theme]]

    def theme_rows(self, theme: str) -> tuple[list, list[str], list[Report]]:
        """(rows to show: Report or ("gap", n), notes, reporters)."""
        c = self.c
        codes = self._theme_codes(theme)
        reporters = [r for r in c.reports if any((r.id, code) in c.values for code in codes)]
        if len(c.reports) <= MAX_TABLE_ROWS:
            return list(c.reports), [], reporters
        key_title, key = self.theme_rank_key(theme, reporters)
        keyed = [(key(r), r) for r in reporters]
        ranked = sorted([(v, r) for v, r in keyed if v is not None], key=lambda vr: (-vr[0], vr[1].label, vr[1].id))
        missing = len(keyed) - len(ranked)
        notes = []
        half = MAX_TABLE_ROWS // 2
        if len(ranked) > MAX_TABLE_ROWS:
            rows = [r for _, r in ranked[:half]] + [("gap", len(ranked) - 2 * half)] + [r for _, r in ranked[-half:]]
            notes.append(self.t["truncated"].format(
                shown=self.lang.num(Decimal(MAX_TABLE_ROWS), 0), total=self.lang.num(Decimal(len(reporters)), 0),
                top=half, bottom=half, key=key_title, links=self.links(["indicators"])))
        else:
            rows = [r for _, r in ranked]
            notes.append(self.t["truncated_plain"].format(shown=self.lang.num(Decimal(len(rows)), 0),
                                                          total=self.lang.num(Decimal(len(reporters)), 0),
                                                          links=self.links(["indicators"])))
        if missing:
            notes.append(self.t["without_key"].format(n=self.lang.num(Decimal(missing), 0), key=key_title))
        return rows, notes, reporters

    def theme_section(self, theme: str) -> dict:
        c, lang, t = self.c, self.lang, self.t
        title = lang.theme_title(c.cb, theme)
        inds = [ind for ind in c.themes[theme] if ind.code in c.codes_reported]
        missing = [lang.title(ind) for ind in c.themes[theme] if ind.code not in c.codes_reported]
        out = {"id": f"theme-{theme}", "title": title, "table": None, "summary": None, "charts": [],
               "notes": [], "findings": [], "more_findings": ""}
        if not inds or not c.reports:
            out["notes"].append(t["theme_empty"])
            return out
        rows_spec, notes, reporters = self.theme_rows(theme)
        shown = [r for r in rows_spec if isinstance(r, Report)]
        derived = [d for d in DERIVED if d.theme == theme and any(c.derived(r, d) is not None for r in shown)]
        columns: list = []
        for ind in inds:
            columns.append(ind)
            columns += [d for d in derived if d.after == ind.code and not d.per10k]
        columns += [d for d in derived if not d.after and not d.per10k]
        columns += [d for d in derived if d.after and d.after not in {i.code for i in inds} and not d.per10k]
        columns += [d for d in derived if d.per10k]
        headers = [Header(t["col_report"]), Header(t["col_level"]), Header(t["col_period"])]
        for col in columns:
            if isinstance(col, Indicator):
                sub = lang.unit(col.unit) if col.kind != "area" else t["area_unit"]
                headers.append(Header(lang.title(col), sub=sub, cls="num"))
            else:
                headers.append(Header(lang.derived_title(c.cb, col), sub=t["per10k"] if col.per10k else t["computed"],
                                      cls="num computed"))
        rows = []
        for spec in rows_spec:
            if not isinstance(spec, Report):
                rows.append(Row([Cell(t["gap_row"].format(n=lang.num(Decimal(spec[1]), 0)), colspan=len(headers),
                                      cls="gap")], cls="gap"))
                continue
            r = spec
            cells = [self.report_cell(r), Cell(lang.level(r.level)), Cell(lang.period_short(r))]
            for col in columns:
                cells.append(self.fig_cell(r, col.code) if isinstance(col, Indicator) else self.derived_cell(r, col))
            rows.append(Row(cells))
        if missing:
            notes.append(t["not_in_any"].format(titles="; ".join(missing)))
        out["table"] = Table(title, headers, rows, notes, id=f"table-{theme}", cls="figures hidden-caption")
        # findings concerning the figures in this table
        seen, flagged = set(), []
        for r in shown:
            for code in [ind.code for ind in inds]:
                for f in c.findings_by_fig.get((r.id, code), []):
                    if f.n not in seen:
                        seen.add(f.n)
                        flagged.append(f)
        flagged.sort(key=lambda f: f.n)
        out["findings"] = [(f.n, f"#dq-{f.n}", self.by_report_label(f), self.message(f)) for f in flagged[:20]]
        if len(flagged) > 20:
            out["more_findings"] = t["more_findings"].format(n=len(flagged) - 20)
        if len(c.reports) > MAX_SUMMARY_THRESHOLD:
            out["summary"] = self.theme_summary(theme, inds, [d for d in DERIVED if d.theme == theme])
        charts_reports = [r for r in shown][:MAX_CHART_REPORTS]
        total = len(reporters)
        if theme == "admin":
            ch = chart_stacked(c, charts_reports, lang, ["admin.dossiers_resolved_early", "admin.dossiers_resolved_on_time",
                               "admin.dossiers_resolved_late"], ["early", "on_time", "late"],
                               [OI["blue"], OI["sky"], OI["vermillion"]], "time", total)
            out["charts"] = [ch] if ch else []
        elif theme == "mediation":
            ch = chart_stacked(c, charts_reports, lang, ["mediation.successful", "mediation.unsuccessful",
                               "mediation.pending"], ["successful", "unsuccessful", "pending"],
                               [OI["green"], OI["vermillion"], OI["orange"]], "med", total)
            out["charts"] = [ch] if ch else []
        elif theme == "models":
            ch = chart_models(c, charts_reports, lang, total)
            out["charts"] = [ch] if ch else []
        return out

    def by_report_label(self, f: Finding) -> str:
        r = self.c.by_id.get(f.report_id)
        return r.label if r else (f.report_id or "—")

    def theme_summary(self, theme: str, inds: list[Indicator], derived: list[Derived]) -> Table:
        c, lang, t = self.c, self.lang, self.t
        rows = []
        n_all = len(c.reports)
        for col in list(inds) + derived:
            if isinstance(col, Indicator):
                values = [c.fig(r, col.code).value for r in c.reports if c.fig(r, col.code) is not None]
                label = lang.title(col)

                def fmt(v, col=col):
                    return lang.fig(col, Fig(v, None, "", "", ""))
            else:
                values = [v for v in (c.derived(r, col) for r in c.reports) if v is not None]
                label = lang.derived_title(c.cb, col) + f" ({t['computed']})"

                def fmt(v, col=col):
                    return lang.num(v, 1) if col.per10k else lang.pct(v)
            if not values:
                continue
            med = statistics.median(values)
            rows.append(Row([Cell(label, th=True), Cell(f"{lang.num(Decimal(len(values)), 0)}/{lang.num(Decimal(n_all), 0)}", cls="num"),
                             Cell(fmt(Decimal(med)), cls="num"), Cell(fmt(min(values)), cls="num"),
                             Cell(fmt(max(values)), cls="num")]))
        return Table(t["theme_summary"].format(n=lang.num(Decimal(n_all), 0)),
                     [Header(t["col_indicator"]), Header(t["col_n"], cls="num"), Header(t["col_median"], cls="num"),
                      Header(t["col_min"], cls="num"), Header(t["col_max"], cls="num")], rows, cls="compact")

    # ---- 2. key findings
    def refs(self, r: Report, codes: Iterable[str]) -> list:
        out, seen = [], set()
        for code in codes:
            f = self.c.fig(r, code)
            if f is None:
                continue
            href = self.sources.href(r, code)
            label = self.t["line_ref"].format(line=f.line or "?")
            if label not in seen:
                seen.add(label)
                out.append((label, href))
        return out

    def report_sentences(self, r: Report) -> list[Sentence]:
        c, lang, t = self.c, self.lang, self.t
        fig = lambda code: c.fig(r, code)  # noqa: E731
        n = lambda code: lang.num(fig(code).value, 0)  # noqa: E731
        loc = lang.locality(r)
        Loc = lang.locality(r, capital=True)
        out = []

        def rep_note(code: str) -> str:
            f = fig(code)
            return t["s_rep_rate"].format(v=lang.pct(f.value, None)) if f else ""

        # petitions
        if fig("petitions.resolved") and fig("petitions.eligible") and fig("petitions.eligible").value:
            p = c.derived(r, DERIVED_BY_KEY["petitions.rate_eligible"])
            out.append(Sentence(t["s_pet_eligible"].format(Loc=Loc, r=n("petitions.resolved"), d=n("petitions.eligible"),
                                                           p=lang.pct(p), rep=rep_note("petitions.resolution_rate_reported")),
                                self.refs(r, ["petitions.resolved", "petitions.eligible", "petitions.resolution_rate_reported"])))
        elif fig("petitions.resolved") and fig("petitions.received") and fig("petitions.received").value:
            p = c.derived(r, DERIVED_BY_KEY["petitions.rate_received"])
            out.append(Sentence(t["s_pet_received"].format(Loc=Loc, r=n("petitions.resolved"), d=n("petitions.received"),
                                                           p=lang.pct(p), rep=rep_note("petitions.resolution_rate_reported")),
                                self.refs(r, ["petitions.resolved", "petitions.received", "petitions.resolution_rate_reported"])))
        if fig("petitions.received") and fig("petitions.received_prev_period"):
            out.append(Sentence(t["s_pet_prev"].format(Loc=Loc, n=n("petitions.received"), prev=n("petitions.received_prev_period")),
                                self.refs(r, ["petitions.received", "petitions.received_prev_period"])))
        elif fig("petitions.received") and not fig("petitions.resolved"):
            plural = "" if lang.code == "vi" or fig("petitions.received").value == 1 else "s"
            out.append(Sentence(t["s_pet_only_received"].format(Loc=Loc, n=n("petitions.received"), s=plural),
                                self.refs(r, ["petitions.received"])))
        # reception
        if fig("reception.cases_resolved") and fig("reception.cases") and fig("reception.cases").value:
            p = c.derived(r, DERIVED_BY_KEY["reception.rate_resolved"])
            out.append(Sentence(t["s_rec_cases"].format(Loc=Loc, r=n("reception.cases_resolved"), d=n("reception.cases"),
                                                        p=lang.pct(p), rep=rep_note("reception.resolution_rate_reported")),
                                self.refs(r, ["reception.cases_resolved", "reception.cases", "reception.resolution_rate_reported"])))
        elif fig("reception.sessions"):
            out.append(Sentence(t["s_rec_sessions"].format(Loc=Loc, n=n("reception.sessions")),
                                self.refs(r, ["reception.sessions"])))
        # administrative procedures
        timely = c.derived(r, DERIVED_BY_KEY["admin.rate_timely"])
        if timely is not None:
            t_count = sum((fig(k).value for k in ("admin.dossiers_resolved_early", "admin.dossiers_resolved_on_time")), Decimal(0))
            late = t["s_adm_late"].format(n=n("admin.dossiers_resolved_late")) if fig("admin.dossiers_resolved_late") else ""
            out.append(Sentence(t["s_adm_timely"].format(Loc=Loc, res=n("admin.dossiers_resolved"), t=lang.num(t_count, 0),
                                                         p=lang.pct(timely), late=late),
                                self.refs(r, ["admin.dossiers_resolved", "admin.dossiers_resolved_early",
                                              "admin.dossiers_resolved_on_time", "admin.dossiers_resolved_late"])))
        online = c.derived(r, DERIVED_BY_KEY["admin.rate_online"])
        if online is not None:
            out.append(Sentence(t["s_adm_online"].format(Loc=Loc, n=n("admin.dossiers_received"),
                                                         o=n("admin.dossiers_received_online"), p=lang.pct(online)),
                                self.refs(r, ["admin.dossiers_received", "admin.dossiers_received_online"])))
        # mediation
        med = c.derived(r, DERIVED_BY_KEY["mediation.rate_success"])
        if med is not None:
            out.append(Sentence(t["s_med"].format(Loc=Loc, c=n("mediation.cases"), s=n("mediation.successful"), p=lang.pct(med)),
                                self.refs(r, ["mediation.cases", "mediation.successful"])))
        # models
        if fig("models.total"):
            parts = ""
            if fig("models.collective") and fig("models.individual"):
                parts = t["s_models_parts"].format(c=n("models.collective"), i=n("models.individual"))
            out.append(Sentence(t["s_models"].format(Loc=Loc, n=n("models.total"), parts=parts),
                                self.refs(r, ["models.total", "models.collective", "models.individual"])))
        # new rural development
        ntm = c.derived(r, DERIVED_BY_KEY["ntm.rate_communes"])
        if ntm is not None:
            f = fig("ntm.communes_certified")
            out.append(Sentence(t["s_ntm"].format(Loc=Loc, n=lang.num(f.value, 0), d=lang.num(f.denominator, 0), p=lang.pct(ntm)),
                                self.refs(r, ["ntm.communes_certified"])))
        # inspections and contributions (money)
        if fig("inspection.recovered"):
            m = lang.money(fig("inspection.recovered").value)
            key = "s_insp" if fig("inspection.count") else "s_insp_money"
            out.append(Sentence(t[key].format(Loc=Loc, n=n("inspection.count") if fig("inspection.count") else "", m=m),
                                self.refs(r, ["inspection.count", "inspection.recovered"])))
        if fig("democracy.people_contribution"):
            out.append(Sentence(t["s_contrib"].format(loc=loc, m=lang.money(fig("democracy.people_contribution").value)),
                                self.refs(r, ["democracy.people_contribution"])))
        return out

    def findings_section(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        out = {"per_report": [], "comparisons": [], "intro": "", "not_compared": "", "chart": None,
               "no_comparison": ""}
        if not c.reports:
            return out
        if len(c.reports) <= MAX_SENTENCE_REPORTS:
            for r in c.reports:
                sentences = self.report_sentences(r) or [Sentence(t["nothing_headline"])]
                head = f"{r.label} — {lang.level(r.level)}, {lang.report_type(r.get('report_type'))}"
                out["per_report"].append({"label": head, "href": f"#rep-{r.slug}" if r.id in self.listed_reports else "",
                                          "sentences": sentences})
        else:
            out["intro"] = t["aggregate_intro"].format(n=lang.num(Decimal(len(c.reports)), 0), max=MAX_SENTENCE_REPORTS)
        # fair comparisons: same level and same period length
        groups: dict[tuple, list[Report]] = defaultdict(list)
        for r in c.reports:
            groups[(r.level, r.months)].append(r)
        metrics = [d for d in DERIVED if d.compare]
        singles = []
        for (level, months), members in sorted(groups.items(), key=lambda kv: (LEVEL_RANK.get(kv[0][0], 9), -(kv[0][1] or 0))):
            if len(members) < 2 or not level or not months:
                singles += members
                continue
            group_label = lang.group(level, months)
            group_label = group_label[:1].upper() + group_label[1:]
            types = sorted({lang.report_type(r.get("report_type")) for r in members})
            for d in metrics:
                values = [(c.derived(r, d), r) for r in members]
                values = [(v, r) for v, r in values if v is not None]
                if len(values) < 2:
                    continue
                metric = lang.derived_title(c.cb, d).lower() if d.per10k else f"{lang.formula(d)} ({t['computed']})"
                fmt = (lambda v: lang.num(v, 1)) if d.per10k else lang.pct
                if len(values) <= 6:
                    text = t["cmp_list"].format(group=group_label, n=len(members), metric=metric,
                                                values=", ".join(f"{r.short} {fmt(v)}" for v, r in values))
                else:
                    ordered = sorted(values, key=lambda vr: (vr[0], vr[1].label))
                    text = t["cmp_agg"].format(group=group_label, metric=metric, k=lang.num(Decimal(len(values)), 0),
                                               n=lang.num(Decimal(len(members)), 0),
                                               median=fmt(Decimal(statistics.median([v for v, _ in values]))),
                                               min=fmt(ordered[0][0]), min_loc=ordered[0][1].label,
                                               max=fmt(ordered[-1][0]), max_loc=ordered[-1][1].label)
                if len(types) > 1:
                    text += t["report_types_differ"].format(types=", ".join(types))
                refs = []
                if len(values) <= 6:
                    for _, r in values:
                        refs += self.refs(r, d.num[:1])
                out["comparisons"].append(Sentence(text, refs))
        if not out["comparisons"]:
            out["no_comparison"] = t["no_comparison"]
        if singles and len(c.reports) <= MAX_SENTENCE_REPORTS:
            out["not_compared"] = t["not_compared"].format(list="; ".join(
                f"{r.label} ({lang.level(r.level)}, {lang.period_length(r.months)})" for r in singles))
        # the overview chart: reports with the most computed rates first
        series = [d for d in DERIVED if d.chart]
        have = [(sum(1 for d in series if c.derived(r, d) is not None), r) for r in c.reports]
        have = [(k, r) for k, r in have if k]
        if len(have) > MAX_CHART_REPORTS:
            chosen = {r.id for _, r in sorted(have, key=lambda kr: (-kr[0], kr[1].label, kr[1].id))[:MAX_CHART_REPORTS]}
            chart_reports = [r for _, r in have if r.id in chosen]
        else:
            chart_reports = [r for _, r in have]
        out["chart"] = chart_rates(c, chart_reports, lang, len(have))
        return out

    # ---- 5. data quality
    def quality(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        sev = Counter(f.severity or "—" for f in c.findings)
        sev_text = ", ".join(f"{lang.num(Decimal(n), 0)} {t['severity'].get(s, s)}" for s, n in
                             sorted(sev.items(), key=lambda kv: (SEVERITY_RANK.get(kv[0], 3), kv[0])))
        summary = t["quality_summary"].format(f=lang.num(Decimal(len(c.findings)), 0), sev=sev_text or "—",
                                              e=lang.num(Decimal(len(c.errors)), 0))
        rows = []
        for f in c.findings[:MAX_FINDINGS]:
            r = c.by_id.get(f.report_id)
            figs = []
            for code in f.codes:
                ind = c.cb.indicators.get(code)
                name = lang.title(ind) if ind else code
                if r is not None and c.fig(r, code) is not None:
                    figs.append(f"{name}: {lang.fig(ind, c.fig(r, code))}")
                    self.sources.href(r, code)
                else:
                    figs.append(name)
            report_cell = self.report_cell(r) if r else Cell(f.report_id or "—", th=True)
            report_cell.id = f"dq-{f.n}"
            report_cell.text = f"{f.n}. {report_cell.text}"
            rows.append(Row([
                report_cell,
                Cell(t["severity"].get(f.severity, f.severity or "—"), cls=f"sev sev-{re.sub(r'[^a-z]', '', f.severity) or 'none'}"),
                Cell(f.row.get("check", ""), cls="code"),
                Cell("; ".join(figs) or "—"),
                Cell(self.message(f)),
                Cell(self.plain_number(f.row.get("expected", ""))), Cell(self.plain_number(f.row.get("observed", ""))),
                Cell(f.row.get("lines", "")),
            ], cls="finding"))
        notes = []
        if len(c.findings) > MAX_FINDINGS:
            notes.append(t["truncated_plain"].format(shown=MAX_FINDINGS, total=len(c.findings), links=self.links(["findings"])))
        findings = Table(t["quality_findings"], [Header(t[k]) for k in (
            "col_report", "col_severity", "col_check", "col_figures", "col_message", "col_expected", "col_observed",
            "col_line")], rows, notes, id="findings-table") if rows else None
        erows = [Row([Cell(e.get("report_id", ""), cls="code", th=True), Cell(e.get("stage", "")),
                      Cell(e.get("error", ""))]) for e in c.errors[:MAX_ERRORS]]
        enotes = [t["truncated_plain"].format(shown=MAX_ERRORS, total=len(c.errors), links=self.links(["errors"]))] \
            if len(c.errors) > MAX_ERRORS else []
        errors = Table(t["quality_errors"], [Header(t["col_report_id"]), Header(t["col_stage"]), Header(t["col_error"])],
                       erows, enotes, id="errors-table", cls="hidden-caption") if erows else None
        return {"summary": summary if (c.findings or c.errors) else t["quality_none"], "findings": findings,
                "errors": errors, "errors_none": t["errors_none"] if not c.errors else ""}

    # ---- 6. caveats
    def caveats(self) -> list[str]:
        c, lang, t = self.c, self.lang, self.t
        out = []
        levels = sorted({r.level for r in c.reports}, key=lambda x: LEVEL_RANK.get(x, 9))
        periods = sorted({r.months for r in c.reports}, key=lambda m: -(m or 0))
        types = sorted({r.get("report_type") for r in c.reports})
        if len(levels) > 1:
            out.append(t["caveat_level"].format(levels=", ".join(lang.level(x) for x in levels)))
        if len(periods) > 1:
            out.append(t["caveat_period"].format(periods=", ".join(lang.period_length(m) for m in periods)))
        if len(types) > 1:
            out.append(t["caveat_type"].format(types=", ".join(lang.report_type(x) for x in types)))
        if c.reports and len(levels) == 1 and len(periods) == 1 and len(types) == 1:
            out.append(t["caveat_same_scope"])
        if any(code.startswith("petitions.") for code in c.codes_reported):
            out.append(t["caveat_denominators"])
        if "context.population" in c.codes_reported:
            out.append(t["caveat_population"])
        if any(r.level in ("district", "commune") for r in c.reports):
            out.append(t["caveat_2025"])
        out.append(t["caveat_extraction"])
        return out

    # ---- 7. instruments and models
    def instruments(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        if not c.citations:
            return {"intro": t["instruments_none"], "table": None}
        by_inst: dict[str, dict] = {}
        for row in c.citations:
            key = row.get("canonical_id") or " ".join(x for x in (row.get("kind"), row.get("number"), row.get("year")) if x)
            entry = by_inst.setdefault(key, {"row": row, "reports": {}})
            entry["reports"].setdefault(row["report_id"], row.get("line", ""))
        ranked = sorted(by_inst.items(), key=lambda kv: (-len(kv[1]["reports"]), kv[0]))
        citing = sorted({row["report_id"] for row in c.citations}, key=lambda rid: c.order.get(rid, 0))
        matrix = [c.by_id[rid] for rid in citing] if len(citing) <= MAX_INSTRUMENT_MATRIX else []
        headers = [Header(t["col_instrument"]), Header(t["col_kind"]), Header(t["col_number"]), Header(t["col_year"]),
                   Header(t["col_cited_by"], cls="num")] + [Header(r.label, cls="center") for r in matrix]
        rows = []
        for key, entry in ranked[:MAX_INSTRUMENTS]:
            row = entry["row"]
            cells = [Cell(key, th=True, cls="code"), Cell(lang.kind(row.get("kind", ""))), Cell(row.get("number", "")),
                     Cell(row.get("year", "")), Cell(lang.num(Decimal(len(entry["reports"])), 0), cls="num")]
            for r in matrix:
                line = entry["reports"].get(r.id)
                cells.append(Cell("✓ " + t["line_ref"].format(line=line) if line is not None else "·",
                                  cls="center" + ("" if line is not None else " nr")))
            rows.append(Row(cells))
        notes = [t["instruments_ranked"]]
        if len(ranked) > MAX_INSTRUMENTS:
            notes.append(t["truncated_plain"].format(shown=MAX_INSTRUMENTS, total=len(ranked), links=self.links(["citations"])))
        intro = t["instruments_intro"].format(n=lang.num(Decimal(len(ranked)), 0), r=lang.num(Decimal(len(citing)), 0))
        return {"intro": intro, "table": Table(t["sec_instruments"], headers, rows, notes, id="instruments-table")}

    def models(self) -> dict:
        c, lang, t = self.c, self.lang, self.t
        if not c.models:
            return {"intro": t["models_none"], "table": None, "fields": None}
        order = {r.id: i for i, r in enumerate(c.reports)}
        models = sorted(c.models, key=lambda m: (order.get(m["report_id"], 0), m.get("name", ""), m.get("line", "")))
        rows = []
        for m in models[:MAX_MODELS]:
            r = c.by_id[m["report_id"]]
            field_name = lang.t["fields"].get(m.get("field", ""), m.get("field", ""))
            rows.append(Row([self.report_cell(r), Cell(m.get("name", "")), Cell(m.get("owner", "")),
                             Cell(m.get("place", "")), Cell(field_name), Cell(m.get("line", ""), cls="num")]))
        notes = []
        if len(models) > MAX_MODELS:
            notes.append(t["truncated_plain"].format(shown=MAX_MODELS, total=len(models), links=self.links(["models"])))
        table = Table(t["sec_models"], [Header(t[k]) for k in ("col_report", "col_name", "col_owner", "col_place",
                                                                "col_field", "col_line")], rows, notes, id="models-table")
        fields = Counter(m.get("field", "") or "—" for m in models)
        ftable = Table(t["models_by_field"], [Header(t["col_field"]), Header(t["col_models"], cls="num")],
                       [Row([Cell(lang.t["fields"].get(k, k)), Cell(lang.num(Decimal(n), 0), cls="num")])
                        for k, n in sorted(fields.items(), key=lambda kv: (-kv[1], kv[0]))], cls="compact")
        intro = t["models_intro"].format(n=lang.num(Decimal(len(models)), 0),
                                         r=lang.num(Decimal(len({m['report_id'] for m in models})), 0))
        return {"intro": intro, "table": table, "fields": ftable}

    # ---- 8. provenance
    def sources_table(self) -> Table | None:
        c, lang, t = self.c, self.lang, self.t
        order = {r.id: i for i, r in enumerate(c.reports)}
        used = sorted(self.sources.used, key=lambda rc: (order.get(rc[0], 0), c.cb.indicators[rc[1]].order))
        if not used:
            return None
        rows = []
        for rid, code in used:
            r = c.by_id[rid]
            f = c.values[(rid, code)]
            ind = c.cb.indicators[code]
            quote = f.quote if len(f.quote) <= 600 else f.quote[:600] + "…"
            rows.append(Row([Cell(r.label, th=True, id=f"src-{r.slug}-{code}", cls="rowhead"),
                             Cell(lang.title(ind)), Cell(f.surface or "—", cls="num"),
                             Cell(lang.fig(ind, f, unit=True), cls="num"), Cell(f.line, cls="num"),
                             Cell(quote, cls="quote")]))
        return Table(t["sources_figures"], [Header(t[k]) for k in ("col_report", "col_indicator", "col_value_written",
                                                                    "col_value", "col_line", "col_quote")],
                     rows, id="sources-table", cls="sources")

    def provenance_reports(self, raw_checks: dict[str, str], sidecars: dict[str, dict]) -> Table | None:
        c, t = self.c, self.t
        if not c.reports:
            return None
        shown = [r for r in c.reports if r.id in self.listed_reports] or c.reports[:MAX_TABLE_ROWS]
        headers = [Header(t["col_report_id"]), Header(t["col_title"]), Header(t["col_issuer"]),
                   Header(t["col_sha"])]
        if raw_checks:
            headers.append(Header(t["col_raw_check"]))
        any_url = any(sidecars.get(r.id, {}).get("url") for r in shown)
        if any_url:
            headers.append(Header(t["col_url"]))
        rows = []
        for r in shown:
            cells = [Cell(r.id, th=True, cls="code"), Cell(r.get("title") or "—"), Cell(r.get("issuer") or "—"),
                     Cell(r.get("sha256") or "—", cls="code sha")]
            if raw_checks:
                state = raw_checks.get(r.id, "raw_absent")
                cells.append(Cell(t[state], cls="nr" if state != "raw_ok" else ""))
            if any_url:
                # shown as text, never as a link: the brief makes no request and has no outbound link
                cells.append(Cell(sidecars.get(r.id, {}).get("url", "") or "—", cls="code"))
            rows.append(Row(cells))
        notes = []
        if len(c.reports) > len(shown):
            notes.append(t["truncated_plain"].format(shown=len(shown), total=len(c.reports), links=self.links(["reports"])))
        return Table(t["sources_reports"], headers, rows, notes, id="raw-files-table")

    def methods(self) -> list[str]:
        c, lang, t = self.c, self.lang, self.t
        formulas = "; ".join(f"{lang.derived_title(c.cb, d)} = {lang.formula(d)}" for d in DERIVED if not d.per10k)
        return [m.format(corrections=lang.num(Decimal(c.n_corrections), 0),
                         indicators=len(c.cb.indicators), themes=len(c.cb.themes), formulas=formulas)
                for m in t["methods"]]

    # ---- everything
    def context(self, raw_checks: dict[str, str], sidecars: dict[str, dict], version: str) -> dict:
        c, lang, t = self.c, self.lang, self.t
        scope = self.scope()
        themes = [self.theme_section(theme) for theme in c.cb.themes]
        findings = self.findings_section()
        quality = self.quality()
        instruments = self.instruments()
        models = self.models()
        provenance = self.provenance_reports(raw_checks, sidecars)
        sources = self.sources_table()  # last: collects every figure shown above
        dates = [r.get("issue_date") for r in c.reports if re.match(r"^\d{4}", r.get("issue_date"))]
        sections = [("scope", t["sec_scope"]), ("findings", t["sec_findings"]), ("tables", t["sec_tables"]),
                    ("quality", t["sec_quality"]), ("caveats", t["sec_caveats"]),
                    ("instruments", t["sec_instruments"]), ("models", t["sec_models"]),
                    ("sources", t["sec_sources"]), ("methods", t["sec_methods"])]
        return {
            "lang": lang.code, "t": t, "title": self.title,
            "subtitle": t["subtitle"].format(n=lang.num(Decimal(len(c.reports)), 0)),
            "other_langs": [(code, f"brief-{code}.html", t["other_lang"]) for code in self.other_langs],
            "sections": sections, "scope": scope, "findings": findings, "themes": themes,
            "quality": quality, "caveats": self.caveats(), "instruments": instruments, "models": models,
            "sources": sources, "provenance": provenance, "methods": self.methods(),
            "code_version": t["code_version"].format(v=version), "version": version,
            "newest": t["newest"].format(date=lang.date_phrase(max(dates))) if dates else "",
            "css": _css(),
        }


DERIVED_BY_KEY = {d.key: d for d in DERIVED}
# The key-finding sentences name these rates' parts in their wording, so they read them by key:
# a codebook without one of them fails here, on import, rather than while a brief is rendered.
SENTENCE_RATES = ("petitions.rate_eligible", "petitions.rate_received", "reception.rate_resolved",
                  "admin.rate_timely", "admin.rate_online", "mediation.rate_success", "ntm.rate_communes")
if set(SENTENCE_RATES) - set(DERIVED_BY_KEY):
    raise CodebookError(f"codebook.yml derived: the briefs need {sorted(set(SENTENCE_RATES) - set(DERIVED_BY_KEY))}")


# -------------------------------------------------------------------------------- outputs

def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _css() -> str:
    return (TEMPLATES_DIR / "brief.css").read_text(encoding="utf-8")


def _raw_checks(raw_dir: Path | None, corpus: Corpus) -> tuple[dict[str, str], dict[str, dict]]:
    """Compare each report's raw file with the sha256 in reports.csv; read sidecar urls."""
    if raw_dir is None or not raw_dir.is_dir():
        return {}, {}
    from grassroots.pipeline import rawio
    from grassroots.pipeline.rawio import RAW_SUFFIXES, sha256_file

    files = {}
    for p in sorted(raw_dir.iterdir()):
        if p.is_file() and p.suffix.lower() in RAW_SUFFIXES and not p.name.startswith("."):
            files.setdefault(p.stem, p)
    checks, sidecars = {}, {}
    # Only the reports the provenance table lists are checked (no need to hash 10,000 files).
    for r in listed(corpus.reports):
        path = files.get(r.id)
        if path is None:
            checks[r.id] = "raw_absent"
            continue
        checks[r.id] = "raw_ok" if sha256_file(path) == r.get("sha256") else "raw_differs"
        try:
            url = rawio.read_sidecar(path).get("url")
        except rawio.RawInputError:  # a bad sidecar is reported by extraction, not here
            url = None
        if url:
            sidecars[r.id] = {"url": url}
    return checks, sidecars


def _xlsx_value(text: str, numeric: bool):
    if numeric and re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if numeric and re.fullmatch(r"-?\d{1,15}\.\d{1,12}", text):
        return float(text)
    return text


NUMERIC_COLUMNS = tables.NUMERIC_COLUMNS


def build_xlsx(tables: list[tuple[str, list[str], list[list]]], readme: list[str], key: str = "") -> bytes:
    """One workbook: a README sheet then one sheet per table; deterministic bytes.

    Cells that hold text are always strings (never formulas, whatever they start with); numeric
    columns of the processed tables become numbers. ``key`` (a digest of the inputs) is stored
    as the document's identifier so that an unchanged workbook need not be rebuilt.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def text_cell(ws, value):
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:32767])
            cell.data_type = "s"  # never a formula
            return cell
        return value

    ws = wb.create_sheet("README")
    for line in readme:
        ws.append([text_cell(ws, line)])
    for name, columns, rows in tables:
        ws = wb.create_sheet(name[:31])
        head = []
        for col in columns:
            cell = text_cell(ws, col)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        numeric = [col in NUMERIC_COLUMNS for col in columns]
        width = len(numeric)
        for row in rows:
            ws.append([text_cell(ws, _xlsx_value(v, numeric[i]) if i < width and isinstance(v, str) else v)
                       for i, v in enumerate(row)])
    wb.properties.creator = "grassroots"
    wb.properties.identifier = key or None
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def xlsx_key(path: Path) -> str:
    """The input digest stored in an existing workbook ("" when absent or unreadable)."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return ""
    m = re.search(r"<dc:identifier>([0-9a-f]{64})</dc:identifier>", core)
    return m.group(1) if m else ""


def normalise_zip(data: bytes) -> bytes:
    """Re-pack a zip (xlsx) with fixed timestamps and attributes, and fixed document dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                                 rb"\g<1>" + FIXED_ISO.encode() + rb"\g<3>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, content, compresslevel=6)
    return out.getvalue()


def _xlsx_plan(present: list[Path], processed_dir: Path, load: bool = True) -> tuple[list, list[str]]:
    """The sheets of the workbook, within XLSX_BUDGET cells, and notes on the tables left out.

    Priority: reports, values (wide), findings, indicators, citations, models, errors, then the
    rest; a table goes in whole or not at all (its CSV is always complete).
    """
    sizes = {p.stem: _count_rows(p) for p in present}
    widths = {p.stem: len(_read_header(p)) for p in present}
    n_reports = sizes.get("reports", 0)
    wide_codes = len({row.get("indicator") for row in read_table(processed_dir / "indicators.csv")}) \
        if "indicators" in sizes and sizes["indicators"] * 4 <= XLSX_BUDGET else None
    order = ["reports", "values"] + [n for n in TABLE_ORDER if n != "reports"] + \
        sorted(n for n in sizes if n not in TABLE_ORDER)
    budget, sheets, notes = XLSX_BUDGET, [], []
    for name in order:
        if name == "values":
            if n_reports == 0:
                continue
            cells = n_reports * (len(WIDE_META) + wide_codes) if wide_codes is not None else None
            if cells is not None and cells <= budget:
                budget -= cells
                if load:
                    sheets.append(("values", *_wide(Corpus(processed_dir))))
            else:
                notes += [TEXT[k]["xlsx_excluded"].format(name="values", rows=n_reports) for k in ("en", "vi")]
            continue
        if name not in sizes:
            continue
        cells = sizes[name] * max(widths[name], 1)
        if cells <= budget:
            budget -= cells
            if load:
                sheets.append((name, *_read_csv_rows(processed_dir / f"{name}.csv")))
        else:
            notes += [TEXT[k]["xlsx_excluded"].format(name=name, rows=sizes[name]) for k in ("en", "vi")]
    return sheets, notes


def _read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def _read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        return header, list(reader)


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


@dataclass
class BriefResult:
    files: list[tuple[str, int]]

    def as_rows(self) -> list[dict]:
        return [{"file": name, "bytes": size} for name, size in self.files]


WIDE_META = ["report_id", "locality", "district", "province", "province_2025", "admin_level", "period_label",
             "period_start", "period_end", "report_type", "issue_date"]


def _wide(corpus: Corpus) -> tuple[list[str], list[list]]:
    """One row per report, one column per reported indicator (blank = not reported)."""
    codes = [code for code in corpus.cb.indicators if code in corpus.codes_reported]
    head = WIDE_META
    rows = []
    for r in sorted(corpus.reports, key=lambda r: r.id):
        row = [r.id] + [r.get(k) for k in head[1:]]
        for code in codes:
            f = corpus.values.get((r.id, code))
            row.append("" if f is None else (int(f.value) if f.value == f.value.to_integral_value() and abs(f.value) < 10**15 else float(f.value)))
        rows.append(row)
    return head + codes, rows


def _split_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,\n]", value) if p.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def build_briefs(processed_dir: Path, reports_dir: Path, raw_dir: Path | None = None, report_ids="",
                 langs="vi,en", title: str = "") -> BriefResult:
    """Render REPORTS_DIR/briefs/brief-<lang>.html, REPORTS_DIR/index.html and REPORTS_DIR/data/."""
    from grassroots.pipeline.corpus import code_version

    processed_dir, reports_dir = Path(processed_dir), Path(reports_dir)
    langs = _split_list(langs) or list(LANGS)
    bad = [lang for lang in langs if lang not in LANGS]
    if bad:
        raise ValueError(f"LANGS must be among {', '.join(LANGS)}; got {', '.join(bad)}")
    langs = list(dict.fromkeys(langs))
    from grassroots.pipeline.corpus import LARGE_CORPUS, progress_bar

    corpus = Corpus(processed_dir, _split_list(report_ids))
    # large corpora: a bar over the steps (tables and workbook, then each language's brief)
    progress = progress_bar(1 + len(langs), "briefs", enabled=len(corpus.reports) >= LARGE_CORPUS)
    version = code_version()
    raw_checks, sidecars = _raw_checks(Path(raw_dir) if raw_dir else None, corpus)
    env = _env()
    written: list[tuple[str, int]] = []

    def emit(rel: str, data: bytes) -> None:
        write_bytes(reports_dir / rel, data)
        written.append((rel, len(data)))

    # data downloads: the processed CSVs, copied byte for byte, and one workbook
    present = sorted((p for p in processed_dir.glob("*.csv") if not p.name.startswith(".")),
                     key=lambda p: (TABLE_ORDER.index(p.stem) if p.stem in TABLE_ORDER else 99, p.stem))
    tables_info, xlsx_note = [], []
    digest = hashlib.sha256(f"xlsx:{version}\n".encode())
    for p in present:
        data = p.read_bytes()
        digest.update(p.name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
        emit(f"data/{p.name}", data)
        about = TABLE_ABOUT.get(p.stem, ("", ""))
        tables_info.append({"name": p.stem, "href": f"data/{p.name}", "rows": _count_rows(p),
                            "size": _human_size(len(data)), "about_vi": about[0], "about_en": about[1]})
    data_dir = reports_dir / "data"
    if data_dir.is_dir():
        keep = {p.name for p in present} | {XLSX_NAME}
        for old in sorted(data_dir.iterdir()):
            if old.is_file() and old.name not in keep and old.suffix in (".csv", ".xlsx"):
                old.unlink()
    key = digest.hexdigest()
    xlsx_path = data_dir / XLSX_NAME
    if xlsx_key(xlsx_path) == key:  # same tables, same code: the workbook is already right
        data = xlsx_path.read_bytes()
        written.append((f"data/{XLSX_NAME}", len(data)))
        xlsx_note = _xlsx_plan(present, processed_dir, load=False)[1]
    else:
        sheets, xlsx_note = _xlsx_plan(present, processed_dir)
        readme = ["grassroots: processed tables / bảng số liệu đã xử lý",
                  f"code version / phiên bản mã: {version}",
                  "values: one row per report, one column per indicator (blank = not reported) / "
                  "mỗi báo cáo một dòng, mỗi chỉ tiêu một cột (trống = không báo cáo)"] + xlsx_note
        emit(f"data/{XLSX_NAME}", build_xlsx(sheets, readme, key))

    progress.update()
    template = env.get_template("brief.html.j2")
    for code in langs:
        builder = BriefBuilder(corpus, Lang(code), title, [o for o in langs if o != code])
        html = template.render(**builder.context(raw_checks, sidecars, version))
        emit(f"briefs/brief-{code}.html", html.encode("utf-8"))
        progress.update()
    progress.close()

    dates = [r.get("issue_date") for r in corpus.reports if re.match(r"^\d{4}", r.get("issue_date"))]
    sizes = dict(written)
    index = env.get_template("index.html.j2").render(
        title_vi=title or TEXT["vi"]["default_title"], title_en=title or TEXT["en"]["default_title"],
        tv=TEXT["vi"], te=TEXT["en"],
        briefs=[{"lang": code, "href": f"briefs/brief-{code}.html", "label": "Tiếng Việt" if code == "vi" else "English",
                 "size": _human_size(sizes[f"briefs/brief-{code}.html"])} for code in langs],
        tables=tables_info, xlsx={"href": f"data/{XLSX_NAME}", "size": _human_size(sizes[f"data/{XLSX_NAME}"]),
                                  "notes": xlsx_note},
        n_reports_vi=TEXT["vi"]["index_reports"].format(n=Lang("vi").num(Decimal(len(corpus.reports)), 0)),
        n_reports_en=TEXT["en"]["index_reports"].format(n=Lang("en").num(Decimal(len(corpus.reports)), 0)),
        version=version,
        newest_vi=Lang("vi").date_phrase(max(dates)) if dates else "",
        newest_en=Lang("en").date_phrase(max(dates)) if dates else "",
        css=_css())
    emit("index.html", index.encode("utf-8"))
    return BriefResult(sorted(written))


def main(argv: list[str] | None = None) -> int:
    import argparse

    from grassroots.paths import display_path, resolve_dir

    parser = argparse.ArgumentParser(prog="python -m grassroots.brief", description=__doc__.splitlines()[0])
    parser.add_argument("--processed", default=None, help="PROCESSED_DIR (default data/processed)")
    parser.add_argument("--reports", default=None, help="REPORTS_DIR (default reports)")
    parser.add_argument("--raw", default=None, help="RAW_DIR (default data/raw)")
    parser.add_argument("--ids", default="", help="comma-separated report ids (default: all)")
    parser.add_argument("--langs", default="vi,en")
    parser.add_argument("--title", default="")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    reports_dir = resolve_dir(args.reports, "REPORTS_DIR")
    try:
        result = build_briefs(resolve_dir(args.processed, "PROCESSED_DIR"), reports_dir,
                              resolve_dir(args.raw, "RAW_DIR"), args.ids, args.langs, args.title)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, size in result.files:
        print(f"{display_path(reports_dir / name)}\t{size}")
    return 0

