import Foundation
import Study
import Testing
import Yams

/// The cluster launchers stay one contract: `scripts/cluster/study-shard.sh` does the work and
/// names its environment (STUDY, SHARDS, SHARD, OUT, PTQLAB, PTQLAB_MERGE); the Slurm script and
/// the Kubernetes manifest must set those and nothing else, with the same values in the shard and
/// merge Jobs. The manifest is also checked against the part of the batch/v1 Job schema it uses
/// (unknown or misspelt fields, wrong types, bad names). The real-scheduler check is
/// scripts/cluster/slurm-check.sh (CI).
@Suite("cluster launchers: one contract, a valid Kubernetes manifest", .serialized)
struct ClusterManifestTests {
    static let dir = CLI.packageRoot + "/scripts/cluster"

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
    }

    /// The variables study-shard.sh documents in its header (`#   NAME   meaning`).
    static func contract() throws -> [String] {
        try text("study-shard.sh").split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard line.hasPrefix("#   "), fields.count >= 2, let field = fields.dropFirst().first,
                  let name = field.split(separator: "=").first, name.first!.isLetter,
                  name.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) else { return nil }
            return String(name)
        }
    }

    /// The variables the script refuses to run without (`: "${NAME:?…}"`).
    static func required(in script: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(script)
        while let r = rest.range(of: ": \"${") {
            rest = rest[r.upperBound...]
            if let end = rest.range(of: ":?") { names.insert(String(rest[..<end.lowerBound])) }
        }
        return names
    }

    @Test func theShardScriptDocumentsWhatItReads() throws {
        let contract = try Self.contract()
        #expect(contract == ["STUDY", "SHARDS", "SHARD", "OUT", "PTQLAB", "PTQLAB_MERGE"], "\(contract)")
        let body = try Self.text("study-shard.sh").split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        for name in contract { #expect(body.contains("${\(name)"), "study-shard.sh documents \(name) but never reads it") }
        #expect(Self.required(in: body) == ["STUDY", "SHARDS", "SHARD"])
    }

    @Test func theSlurmLauncherSetsTheContract() throws {
        let slurm = try Self.text("slurm-study.sh")
        for line in ["export STUDY=", "export SHARDS", "export SHARD=\"$SLURM_ARRAY_TASK_ID\"", "study-shard.sh\""] {
            #expect(slurm.contains(line), "slurm-study.sh lacks \(line)")
        }
        // What it exports is in the contract.
        let contract = Set(try Self.contract())
        for line in slurm.split(separator: "\n") where line.hasPrefix("export ") {
            let name = String(line.dropFirst("export ".count).prefix { $0 != "=" && $0 != " " })
            #expect(contract.contains(name), "slurm-study.sh exports \(name), which study-shard.sh does not read")
        }
    }

    @Test func everyScriptParses() throws {
        for name in ["study-shard.sh", "slurm-study.sh", "slurm-check.sh"] {
            let r = try Self.bash(["-n", Self.dir + "/" + name], environment: [:])
            #expect(r.status == 0, "\(name): \(r.output)")
        }
    }

    /// The shard script's own checks, run for real: an index out of range, and a merge with a
    /// shard's database missing (named, nothing merged).
    @Test func theShardScriptRefusesBadSettings() throws {
        let out = try CLI.temporaryDirectory().path
        let env = ["STUDY": "quick", "OUT": out, "PTQLAB": CLI.executable]
        let outOfRange = try Self.bash([Self.dir + "/study-shard.sh"], environment: env.merging(["SHARDS": "2", "SHARD": "2"]) { $1 })
        #expect(outOfRange.status == 2 && outOfRange.output.contains("SHARD 2 is not below SHARDS 2"), "\(outOfRange.output)")
        let noShards = try Self.bash([Self.dir + "/study-shard.sh"], environment: env.merging(["SHARD": "0"]) { $1 })
        #expect(noShards.status != 0 && noShards.output.contains("set SHARDS"), "\(noShards.output)")
        let merge = try Self.bash([Self.dir + "/study-shard.sh"], environment: env.merging(["SHARDS": "2", "PTQLAB_MERGE": "1"]) { $1 })
        #expect(merge.status == 1 && merge.output.contains("shard-0-of-2.db is missing"), "\(merge.output)")
        #expect(!FileManager.default.fileExists(atPath: out + "/results.db"))
    }

    @Test func theKubernetesManifestMatchesTheContract() throws {
        let docs = try Yams.load_all(yaml: try Self.text("k8s-study-job.yaml")).map { $0 as Any }
        #expect(docs.count == 2)
        var problems: [String] = []
        for (i, doc) in docs.enumerated() { JobSchema.job.validate(doc, at: "document \(i)", into: &problems) }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        guard docs.count == 2, let shardJob = docs[0] as? [String: Any], let mergeJob = docs[1] as? [String: Any] else { return }

        let contract = Set(try Self.contract())
        func container(_ job: [String: Any]) -> [String: Any] {
            let spec = job["spec"] as? [String: Any], template = spec?["template"] as? [String: Any]
            let pod = template?["spec"] as? [String: Any]
            return ((pod?["containers"] as? [Any])?.first as? [String: Any]) ?? [:]
        }
        func env(_ job: [String: Any]) -> [String: String] {
            var out: [String: String] = [:]
            for item in (container(job)["env"] as? [Any]) ?? [] {
                if let e = item as? [String: Any], let name = e["name"] as? String { out[name] = "\(e["value"] ?? "")" }
            }
            return out
        }
        func command(_ job: [String: Any]) -> String {
            let c = container(job)
            return (((c["command"] as? [Any]) ?? []) + ((c["args"] as? [Any]) ?? [])).map { "\($0)" }.joined(separator: " ")
        }
        let shardEnv = env(shardJob), mergeEnv = env(mergeJob)
        for (name, e) in [("shard", shardEnv), ("merge", mergeEnv)] {
            for key in e.keys { #expect(contract.contains(key), "\(name) Job sets \(key), which study-shard.sh does not read") }
            for key in ["STUDY", "SHARDS", "OUT"] { #expect(e[key] != nil, "\(name) Job does not set \(key)") }
        }
        for key in ["STUDY", "SHARDS", "OUT", "PTQLAB"] {
            #expect(shardEnv[key] == mergeEnv[key], "\(key): shard Job \(shardEnv[key] ?? "unset"), merge Job \(mergeEnv[key] ?? "unset")")
        }
        #expect(mergeEnv["PTQLAB_MERGE"] == "1" && shardEnv["PTQLAB_MERGE"] == nil)
        let spec = shardJob["spec"] as? [String: Any] ?? [:]
        #expect(spec["completionMode"] as? String == "Indexed")
        #expect((spec["completions"] as? Int).map(String.init) == shardEnv["SHARDS"], "completions must equal SHARDS")
        #expect(command(shardJob).contains("scripts/cluster/study-shard.sh") && command(shardJob).contains("SHARD=\"$JOB_COMPLETION_INDEX\""),
                "\(command(shardJob))")
        #expect(command(mergeJob).contains("scripts/cluster/study-shard.sh"), "\(command(mergeJob))")
        if let study = shardEnv["STUDY"] { #expect(BundledStudies.path(named: study) != nil, "STUDY \(study) is not a bundled study") }
        // OUT lies on the shared volume, mounted at the same place in both Jobs.
        for (name, job) in [("shard", shardJob), ("merge", mergeJob)] {
            let mounts = (container(job)["volumeMounts"] as? [Any] ?? []).compactMap { ($0 as? [String: Any])?["mountPath"] as? String }
            #expect(mounts.contains { (shardEnv["OUT"] ?? "").hasPrefix($0) }, "\(name) Job: OUT \(shardEnv["OUT"] ?? "") is on no mounted volume \(mounts)")
        }
    }

    /// The manifest checker itself catches what it is for.
    @Test func theSchemaCheckCatchesMistakes() throws {
        let good = try #require(try Yams.load_all(yaml: try Self.text("k8s-study-job.yaml")).map { $0 as Any }.first)
        let bad = try #require(try Yams.load(yaml: """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: Bad_Name}
            spec:
              completion: 4
              parallelism: "8"
              template:
                spec:
                  restartPolicy: Always
                  containers:
                    - {name: shard, image: x, env: [{name: STUDY}], volumeMounts: [{name: results, mountPath: /r}]}
            """))
        var none: [String] = []
        JobSchema.job.validate(good, at: "good", into: &none)
        #expect(none.isEmpty, "\(none)")
        var problems: [String] = []
        JobSchema.job.validate(bad, at: "bad", into: &problems)
        let text = problems.joined(separator: "\n")
        for expected in ["bad.metadata.name", "bad.spec.completion: unknown field", "bad.spec.parallelism: expected an integer",
                         "bad.spec.template.spec.restartPolicy", "env[0].value", "volumeMounts[0].name: results names no volume"] {
            #expect(text.contains(expected), "missing '\(expected)' in:\n\(text)")
        }
    }

    static func bash(_ args: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: CLI.packageRoot)
        p.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"].merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The part of the Kubernetes batch/v1 Job schema the manifest uses: known fields with their
/// types (anything else is reported as unknown, which is how a misspelt field shows), the enum
/// values Kubernetes accepts for them, DNS-1123 names, and volume mounts that name a volume.
indirect enum JobSchema: Sendable {
    case string
    case integer
    case strings
    case oneOf([String])
    case dnsName
    case quantities                       // resources: {cpu: "2", memory: 16Gi}
    case list(JobSchema)
    case object([String: JobSchema], required: Set<String>)

    static let envVar = JobSchema.object(["name": .string, "value": .string], required: ["name", "value"])
    static let container = JobSchema.object([
        "name": .dnsName, "image": .string, "workingDir": .string, "command": .strings, "args": .strings,
        "env": .list(envVar), "resources": .object(["requests": .quantities, "limits": .quantities], required: []),
        "volumeMounts": .list(.object(["name": .dnsName, "mountPath": .string, "readOnly": .oneOf(["true", "false"])], required: ["name", "mountPath"])),
    ], required: ["name", "image"])
    static let volume = JobSchema.object([
        "name": .dnsName, "persistentVolumeClaim": .object(["claimName": .dnsName, "readOnly": .oneOf(["true", "false"])], required: ["claimName"]),
        "emptyDir": .object([:], required: []),
    ], required: ["name"])
    static let podSpec = JobSchema.object([
        "restartPolicy": .oneOf(["OnFailure", "Never"]), "containers": .list(container), "volumes": .list(volume),
    ], required: ["restartPolicy", "containers"])
    static let job = JobSchema.object([
        "apiVersion": .oneOf(["batch/v1"]), "kind": .oneOf(["Job"]),
        "metadata": .object(["name": .dnsName, "labels": .quantities], required: ["name"]),
        "spec": .object([
            "completionMode": .oneOf(["Indexed", "NonIndexed"]), "completions": .integer, "parallelism": .integer,
            "backoffLimit": .integer, "activeDeadlineSeconds": .integer, "ttlSecondsAfterFinished": .integer,
            "template": .object(["metadata": .object(["labels": .quantities], required: []), "spec": podSpec], required: ["spec"]),
        ], required: ["template"]),
    ], required: ["apiVersion", "kind", "metadata", "spec"])

    func validate(_ value: Any, at path: String, into problems: inout [String]) {
        switch self {
        case .string:
            if !(value is String) { problems.append("\(path): expected a string, got \(value)") }
        case .integer:
            if !(value is Int) { problems.append("\(path): expected an integer, got \(value)") }
        case .strings:
            guard let items = value as? [Any], items.allSatisfy({ $0 is String }) else {
                problems.append("\(path): expected a list of strings"); return
            }
        case .oneOf(let allowed):
            if !allowed.contains("\(value)") { problems.append("\(path): '\(value)' is not one of \(allowed)") }
        case .dnsName:
            let name = "\(value)"
            let ok = value is String && (1...63).contains(name.count) && name.first!.isLetter
                && name.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" } && name.last != "-"
            if !ok { problems.append("\(path): '\(name)' is not a DNS-1123 label (lower-case letters, digits, '-')") }
        case .quantities:
            guard let map = value as? [String: Any] else { problems.append("\(path): expected a map"); return }
            for (k, v) in map where !(v is String || v is Int) { problems.append("\(path).\(k): expected a quantity, got \(v)") }
        case .list(let item):
            guard let items = value as? [Any] else { problems.append("\(path): expected a list"); return }
            for (i, v) in items.enumerated() { item.validate(v, at: "\(path)[\(i)]", into: &problems) }
        case .object(let fields, let required):
            guard let map = value as? [String: Any] else { problems.append("\(path): expected a map"); return }
            for key in map.keys.sorted() where fields[key] == nil { problems.append("\(path).\(key): unknown field") }
            for key in required.sorted() where map[key] == nil { problems.append("\(path).\(key): required field missing") }
            for (key, v) in map.sorted(by: { $0.key < $1.key }) { fields[key]?.validate(v, at: "\(path).\(key)", into: &problems) }
            // A pod's volume mounts must name one of its volumes.
            if let containers = map["containers"] as? [Any] {
                let volumes = Set(((map["volumes"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["name"] as? String })
                for (i, c) in containers.enumerated() {
                    for (j, m) in (((c as? [String: Any])?["volumeMounts"] as? [Any]) ?? []).enumerated() {
                        if let name = (m as? [String: Any])?["name"] as? String, !volumes.contains(name) {
                            problems.append("\(path).containers[\(i)].volumeMounts[\(j)].name: \(name) names no volume")
                        }
                    }
                }
            }
        }
    }
}
