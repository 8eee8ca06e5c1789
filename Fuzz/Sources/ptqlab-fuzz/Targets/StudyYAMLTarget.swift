import Quantization
import Study

/// `study-yaml`: a study file parsed (`StudyFile.parse`: YAML, allowed keys, integer and
/// granularity axes, methods) and expanded into its grid (`StudyGrid.expand`) for one stand-in
/// model shape, without loading any model.
enum StudyYAMLTarget {
    static let shape = ModelShape(architecture: "llama", minInFeatures: 576, minDimension: 192,
                                  blockWeightStorage: ["Q4_1", "Q8_0"])

    static let target = FuzzTarget(
        name: "study-yaml", summary: "StudyFile (YAML, axes, methods) and StudyGrid expansion"
    ) { input in
        let source = "fuzz.yaml"
        guard let study = ErrorCheck.attempt("StudyFile.parse", { try StudyFile.parse(input.text, source: source) }) else { return }
        guard let grid = ErrorCheck.attempt("StudyGrid.expand", {
            try StudyGrid.expand(study, source: source, fingerprint: { _ in "0123456789abcdef" }, shape: { _ in shape })
        }) else { return }
        _ = grid.shard(0, of: 2)
        for experiment in grid.experiments.prefix(8) { _ = (experiment.id, experiment.label, experiment.planID) }
    }
}
