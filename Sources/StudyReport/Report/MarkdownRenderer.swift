/// Renders report blocks as GitHub-flavoured Markdown; charts become links to `charts/*.svg`.
enum MarkdownRenderer {
    static func render(_ blocks: [ReportBlock]) -> String {
        var out = ""
        for block in blocks {
            switch block {
            case let .heading(level, text):
                out += String(repeating: "#", count: level) + " " + escape(text) + "\n\n"
            case let .paragraph(text):
                out += escape(text) + "\n\n"
            case let .labeled(label, text):
                out += "**" + escape(label) + "** " + escape(text) + "\n\n"
            case let .bullets(items):
                out += items.map { "- " + escape($0) }.joined(separator: "\n") + "\n\n"
            case let .table(table):
                out += render(table) + "\n"
            case let .chart(chart):
                out += "![\(escape(chart.caption))](charts/\(chart.fileName))\n\n*\(escape(chart.caption))*\n\n"
            }
        }
        return out
    }

    static func render(_ t: ReportTable) -> String {
        var out = "| " + t.headers.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + t.numeric.map { $0 ? "---:" : ":---" }.joined(separator: "|") + "|\n"
        for row in t.rows {
            out += "| " + row.map { $0.isEmpty ? " " : escape($0) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Escapes what Markdown would interpret: HTML (`& < >`), table pipes, emphasis, code and links.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|", "*", "`", "[", "]", "\\": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }
}
