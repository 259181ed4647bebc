"""Comparative briefs (vi, en) and REPORTS_DIR/index.html from the processed tables.

    build_briefs(processed_dir, reports_dir, raw_dir=None, report_ids="", langs="vi,en", title="")
    python -m grassroots.brief [--processed DIR] [--reports DIR] [--raw DIR] [--ids A,B]
                               [--langs vi,en] [--title TEXT]

Modules, named after what they make:
    model      the processed tables read into reports, figures, findings and computed rates
    language   the two languages: messages (rules/brief_messages.yml), numbers, dates, names
    narrative  the key-finding sentences (templates under key_findings in codebook.yml)
    charts     the SVG charts
    workbook   the XLSX workbook of the processed tables
    render     the HTML briefs, the index page and the data copies: build_briefs(), main()
"""

from grassroots.brief.render import build_briefs, main

__all__ = ["build_briefs", "main"]
