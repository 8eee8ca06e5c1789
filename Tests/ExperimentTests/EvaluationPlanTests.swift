import Evaluation
import Experiment
import Testing

@Suite struct EvaluationPlanTests {
    @Test func planIDsFollowEveryFieldThatChangesAResult() {
        let plan = EvaluationPlan(context: 512, corpora: ["wiki", "news"], maxWindows: 8, zeroShotTasks: ["piqa"], limit: 100,
                                  klCorpora: ["wiki"], klMaxWindows: 8)
        #expect(plan.id.count == 12)
        #expect(plan.id == EvaluationPlan(context: 512, corpora: ["wiki", "news"], maxWindows: 8, zeroShotTasks: ["piqa"],
                                          limit: 100, klCorpora: ["wiki"], klMaxWindows: 8).id)
        var variants: [EvaluationPlan] = []
        var p = plan; p.context = 1024; variants.append(p)
        p = plan; p.maxWindows = 16; variants.append(p)
        p = plan; p.corpora = ["wiki"]; variants.append(p)
        p = plan; p.limit = 200; variants.append(p)
        p = plan; p.subsetSeed = 1; variants.append(p)
        p = plan; p.perplexityMode = "llamacpp"; variants.append(p)
        p = plan; p.klCorpora = []; variants.append(p)
        for v in variants { #expect(v.id != plan.id, "\(v.summary)") }
        #expect(plan.id(protocolVersion: 1) != plan.id)
    }

    @Test func modesAndLabels() throws {
        #expect(try EvaluationPlan().mode() == .nonOverlapping)
        #expect(try EvaluationPlan(perplexityMode: "llamacpp").mode() == .llamaCppHalfWindow)
        #expect(try EvaluationPlan(perplexityMode: "stride:256").mode() == .sliding(stride: 256))
        #expect(throws: PlanError.self) { try EvaluationPlan(perplexityMode: "stride:0").mode() }
        #expect(throws: PlanError.self) { try EvaluationPlan(perplexityMode: "halves").mode() }
        #expect(EvaluationPlan.label(of: "file:/tmp/x/wiki.test.raw") == "wiki.test.raw")
        #expect(EvaluationPlan.label(of: "news") == "news")
    }
}
