/// What the report says about rows on the base model's storage grid and where they matter.
enum GridAlignmentNotes {
    /// The notes as lines (empty when no row is grid-aligned).
    static func lines(_ m: ModelAnalysis) -> [String] {
        let aligned = m.gridAlignedRows
        guard !aligned.isEmpty else { return [] }
        var out = aligned.map {
            "\($0.recipe) (\(NumberFormatting.bits($0.record.effectiveBits)) bits): optimistic, lies on the base model's storage grid"
                + ($0.record.gridFit.map { " (RTN reproduces " + NumberFormatting.percent($0) + " of the base weights)" } ?? "")
        }
        for rec in m.recommendations where rec.choice.members.contains(where: \.gridAligned) {
            out.append("The \(rec.budget) recommendation (\(rec.choice.label)) is grid-aligned: expect a larger loss on a full-precision model.")
        }
        for v in m.verdicts {
            for p in v.gridAlignedPairs {
                out.append("Evidence pair \(p.context) (\(p.claimed.label) vs \(p.other.label)) for “\(v.question)” involves a grid-aligned row.")
            }
        }
        return out
    }

    /// The notes as report blocks.
    static func blocks(_ m: ModelAnalysis) -> [ReportBlock] {
        let notes = lines(m)
        if !notes.isEmpty { return [.bullets(notes)] }
        let measured = m.rows.compactMap(\.record.gridFit)
        let text = "No row lies on the base model's storage grid"
            + (measured.isEmpty ? "." : " (measured: RTN of the base weights reproduces at most \(NumberFormatting.percent(measured.max())) of them).")
        return [.paragraph(text)]
    }
}
