/// Renders report blocks as one self-contained HTML page: inline CSS, SVG charts inline, and one
/// small inline script that sorts a table by the column whose header is clicked (numbers as
/// numbers, `–` last). Nothing is loaded from elsewhere; without scripts the page reads the same.
enum HTMLRenderer {
    static let style = """
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #fafafa; margin: 0; }
    main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
    h1 { font-size: 26px; border-bottom: 2px solid #0072B2; padding-bottom: 6px; }
    h2 { font-size: 21px; margin-top: 40px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    h3 { font-size: 17px; margin-top: 28px; color: #333; }
    p, li { font-size: 14px; line-height: 1.5; }
    .table-wrap { overflow-x: auto; margin: 12px 0 20px; }
    table { border-collapse: collapse; font-size: 12.5px; }
    th, td { padding: 3px 7px; border-bottom: 1px solid #e2e2e2; white-space: nowrap; }
    th { white-space: normal; min-width: 36px; vertical-align: bottom; background: #eef2f6; text-align: left; position: relative; padding-right: 18px; border-bottom: 2px solid #b8c4d0; }
    table.sortable th { cursor: pointer; }
    table.sortable th::after { content: "\\21C5"; color: #9aa7b4; font-size: 10px; position: absolute; right: 5px; top: 6px; }
    table.sortable th[aria-sort="ascending"]::after { content: "\\25B2"; color: #0072B2; }
    table.sortable th[aria-sort="descending"]::after { content: "\\25BC"; color: #0072B2; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tbody tr:nth-child(even) { background: #f7f9fb; }
    tbody tr:hover { background: #fff6d8; }
    td.flags { color: #8a4b00; white-space: normal; min-width: 150px; }
    figure { margin: 16px 0 28px; }
    figure svg { max-width: 100%; height: auto; border: 1px solid #e6e6e6; }
    figcaption { font-size: 12.5px; color: #555; margin-top: 4px; }
    p.labeled strong { color: #0b3d62; }
    """

    /// Click a header to sort its table (again to reverse). Cells are compared as numbers when both
    /// parse as one (signs, %, ± and [interval] tails ignored), else as text; empty and `–` sort last.
    static let sortScript = """
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var headers = table.querySelectorAll("th");
      headers.forEach(function (th, column) {
        th.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
          function key(row) {
            var text = (row.cells[column] ? row.cells[column].textContent : "").trim();
            if (text === "" || text === "–") { return { missing: true }; }
            var match = text.replace(/\\u2212/g, "-").match(/^[+-]?\\d+(\\.\\d+)?(e[+-]?\\d+)?/i);
            return match ? { number: parseFloat(match[0]) } : { text: text.toLowerCase() };
          }
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            if (x.missing || y.missing) { return (x.missing ? 1 : 0) - (y.missing ? 1 : 0); }
            var order = (x.number !== undefined && y.number !== undefined) ? x.number - y.number
              : String(x.text !== undefined ? x.text : x.number).localeCompare(String(y.text !== undefined ? y.text : y.number));
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
    """

    static func render(_ blocks: [ReportBlock], title: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(e(title))</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n<main>\n"
        for block in blocks {
            switch block {
            case let .heading(level, text):
                out += "<h\(level)>\(e(text))</h\(level)>\n"
            case let .paragraph(text):
                out += "<p>\(e(text))</p>\n"
            case let .labeled(label, text):
                out += "<p class=\"labeled\"><strong>\(e(label))</strong> \(e(text))</p>\n"
            case let .bullets(items):
                out += "<ul>\n" + items.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
            case let .table(table):
                out += render(table)
            case let .chart(chart):
                out += "<figure id=\"\(e(chart.fileName))\">\n\(chart.svg)<figcaption>\(e(chart.caption))</figcaption>\n</figure>\n"
            }
        }
        out += "</main>\n<script>\n\(sortScript)</script>\n</body>\n</html>\n"
        return out
    }

    static func render(_ t: ReportTable) -> String {
        func cls(_ j: Int, flags: Bool) -> String {
            if j < t.numeric.count, t.numeric[j] { return " class=\"num\"" }
            return flags ? " class=\"flags\"" : ""
        }
        var out = "<div class=\"table-wrap\"><table class=\"sortable\">\n<thead><tr>"
        for (j, h) in t.headers.enumerated() { out += "<th\(cls(j, flags: false))>\(e(h))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            out += "<tr>"
            for (j, cell) in row.enumerated() { out += "<td\(cls(j, flags: t.headers[safe: j] == "flags"))>\(e(cell))</td>" }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
        return out
    }

    private static func e(_ s: String) -> String { XMLEscaping.escape(s) }
}

extension Array {
    /// The element at `i`, or nil when out of range.
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
