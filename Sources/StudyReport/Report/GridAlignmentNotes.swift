/// What the report says about rows on the base model's storage grid and where they matter.
enum GridAlignmentNotes {
    /// The notes as lines (empty when no row is grid-aligned).
    static func lines(_ m: ModelAnalysis) -> [String] {
        let aligned = m.gridAlignedRows
        guard !aligned.isEmpty else { return [] }
        var out = aligned.map { "\($0.recipe) (\(NumberFormatting.bits($0.record.effectiveBits)) bits): optimistic, lies on the base model's storage grid" }
        for rec in m.recommendations where rec.row.record.gridAligned {
            out.append("The ≤ \(NumberFormatting.budget(rec.budgetBits))-bit recommendation (\(rec.row.recipe)) is grid-aligned: expect a larger loss on a full-precision model.")
        }
        for v in m.verdicts {
            for p in v.gridAlignedPairs {
                out.append("Evidence pair \(p.context) (\(p.claimed.recipe) vs \(p.other.recipe)) for “\(v.question)” involves a grid-aligned row.")
            }
        }
        return out
    }

    /// The notes as report blocks.
    static func blocks(_ m: ModelAnalysis) -> [ReportBlock] {
        let notes = lines(m)
        return notes.isEmpty ? [.paragraph("No row lies on the base model's storage grid.")] : [.bullets(notes)]
    }
}
