import Foundation
import GRDB

/// The results database (SQLite through GRDB): one row per finished experiment, written in its
/// own transaction once the experiment has finished, so a process killed at any moment leaves
/// only whole rows, and a rerun skips every id already present. Several processes on one machine
/// may run one study into one database: each claims an experiment (a row of `lease`) before
/// running it (see `ResultsStore+Lease.swift`).
public final class ResultsStore: @unchecked Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// Opens the database at `path` for a study or a merge: creates it when missing, migrates it,
    /// and checks that it can be written before anything runs. A SQLite file of another program
    /// is refused and left unchanged.
    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        queue = try StoreOpening.open(path: path, readOnly: false)
        try StoreOpening.requirePTQLabSchema(queue, path: path, allowEmpty: true)
        do {
            try Self.migrate(queue)
            try StoreOpening.probeWrite(queue)
        } catch let error as DatabaseError {
            throw StoreOpening.failure(path: path, error, writing: true)
        }
    }

    /// Opens an existing database for reading only (`report`, the sources of `merge`, `--dry-run`):
    /// it is never created, migrated or written.
    public init(readingFrom path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw StudyError("\(path): no such results database") }
        queue = try StoreOpening.open(path: path, readOnly: true)
        try StoreOpening.requirePTQLabSchema(queue, path: path, allowEmpty: false)
    }

    /// Brings the schema up to date. GRDB reads the list of applied migrations outside any
    /// transaction and then runs each missing migration in a transaction of its own, so two
    /// processes opening a new database at the same moment can both decide to run `v2`; the later
    /// one's ALTER then fails ("duplicate column name"). Its transaction rolled back and left
    /// nothing, so it reads the list again and goes on from where the other process got to. An
    /// error that persists (a full disk, a read-only file) is thrown after the last attempt.
    static func migrate(_ queue: DatabaseQueue, attempts: Int = 8) throws {
        for attempt in 1... {
            do {
                try migrator.migrate(queue)
                return
            } catch let error as DatabaseError {
                let finished = (try? queue.read { try migrator.hasCompletedMigrations($0) }) ?? false
                if finished { return }
                if attempt >= attempts { throw error }
                usleep(useconds_t(20_000 * attempt))
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "experiment") { t in
                t.primaryKey("id", .text)
                t.column("study", .text).notNull()
                t.column("model", .text).notNull()
                t.column("architecture", .text).notNull()
                t.column("method", .text).notNull()
                t.column("spec", .text)
                t.column("weight_bits", .integer)
                t.column("group_size", .integer)
                t.column("symmetric", .boolean)
                t.column("activation_bits", .integer).notNull()
                t.column("lorc_rank", .integer)
                t.column("act_order", .boolean).notNull()
                t.column("seed", .integer)
                t.column("effective_bits", .double).notNull()
                t.column("bytes", .integer).notNull()
                t.column("grid_aligned", .boolean).notNull()
                t.column("perplexity", .text).notNull()       // JSON {corpus: ppl}
                t.column("mean_perplexity", .double)
                t.column("zero_shot", .text).notNull()        // JSON {task: TaskScore}
                t.column("kl_divergence", .double)
                t.column("top1_agreement", .double)
                t.column("quantize_seconds", .double).notNull()
                t.column("evaluate_seconds", .double).notNull()
                t.column("config", .text).notNull()           // ExperimentConfig, canonical JSON
                t.column("metrics", .text).notNull()          // every measured number, JSON
                t.column("machine", .text).notNull()
                t.column("program_version", .text).notNull()
                t.column("finished_at", .text).notNull()
            }
            try db.create(index: "experiment_model", on: "experiment", columns: ["model", "method"])
        }
        // Protocol 2: every recipe field that changes a result, the evaluation plan id, and the
        // bits two ways. Rows written before are filled from their configuration JSON.
        migrator.registerMigration("v2") { db in
            try db.alter(table: "experiment") { t in
                for (name, type) in addedColumns { t.add(column: name, type) }
            }
            try db.create(index: "experiment_plan", on: "experiment", columns: ["model", "plan_id"])
            for row in try Row.fetchAll(db, sql: "SELECT id, config FROM experiment") {
                guard let id = String.fromDatabaseValue(row["id"] as DatabaseValue),
                      let configText = String.fromDatabaseValue(row["config"] as DatabaseValue),
                      let config = try? JSONDecoder().decode(ExperimentConfig.self, from: Data(configText.utf8)) else { continue }
                let recipe = config.recipe, c = recipe?.calibration
                try db.execute(
                    sql: "UPDATE experiment SET plan_id = ?, model_fingerprint = ?, mse_clip = ?, static_groups = ?, damping = ?, "
                        + "lorc_factor_bits = ?, calib_corpus = ?, calib_samples = ?, calib_length = ?, sequential = ? WHERE id = ?",
                    arguments: [config.planID, config.modelFingerprint, recipe?.mseClip, recipe?.usesStaticGroups,
                                recipe?.effectiveDamping, recipe?.effectiveLoRCFactorBits, c?.corpus, c?.samples, c?.length,
                                c?.isSequential, id])
            }
        }
        // Work claiming: a row per experiment being run, by whom, and when it last said it was alive.
        migrator.registerMigration("v3") { db in
            try db.create(table: "lease") { t in
                t.primaryKey("id", .text)
                t.column("owner", .text).notNull()          // host:pid:token
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("started_at", .double).notNull()   // Unix seconds
                t.column("heartbeat_at", .double).notNull()
            }
        }
        // Named symmetric grids and true-sequential calibration. Older rows ran the narrow grid and one
        // probe per block: the columns say so, and their symmetric specs gain `-narrow` (ids unchanged:
        // new experiments name their grid and order in the recipe, so they never collide with these).
        migrator.registerMigration("v4") { db in
            try db.alter(table: "experiment") { t in
                for (name, type) in gridColumns { t.add(column: name, type) }
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, config FROM experiment") {
                // Checked conversions: a foreign value in these columns skips the row instead of trapping.
                guard let id = String.fromDatabaseValue(row["id"] as DatabaseValue),
                      let configText = String.fromDatabaseValue(row["config"] as DatabaseValue),
                      let config = try? JSONDecoder().decode(ExperimentConfig.self, from: Data(configText.utf8)),
                      let recipe = config.recipe else { continue }
                let c = recipe.calibration
                let legacySpec = recipe.weightGrid == nil ? (try? recipe.parsedSpec()).flatMap { $0.weight.symmetric ? $0.description : nil } : nil
                try db.execute(
                    sql: "UPDATE experiment SET weight_grid = ?, true_sequential = ?, spec = COALESCE(?, spec) WHERE id = ?",
                    arguments: [recipe.effectiveWeightGrid, c.map { $0.isSequential ? $0.isTrueSequential : nil } ?? nil,
                                legacySpec, id])
            }
        }
        return migrator
    }

    /// Columns of migration v2, in order.
    static let addedColumns: [(String, Database.ColumnType)] = [
        ("plan_id", .text), ("model_fingerprint", .text), ("mse_clip", .boolean), ("static_groups", .boolean),
        ("damping", .double), ("lorc_factor_bits", .integer), ("calib_corpus", .text), ("calib_samples", .integer),
        ("calib_length", .integer), ("sequential", .boolean), ("grid_fit", .double), ("gptq_bits", .double),
        ("gguf_bits", .double), ("gguf_type", .text), ("model_bytes", .integer), ("parameters", .integer),
        ("diagnostics", .text),
    ]

    /// Columns of migration v4, in order.
    static let gridColumns: [(String, Database.ColumnType)] = [("weight_grid", .text), ("true_sequential", .boolean)]

    static let columns = ["id", "study", "model", "architecture", "method", "spec", "weight_bits", "group_size", "symmetric",
                          "activation_bits", "lorc_rank", "act_order", "seed", "effective_bits", "bytes", "grid_aligned",
                          "perplexity", "mean_perplexity", "zero_shot", "kl_divergence", "top1_agreement",
                          "quantize_seconds", "evaluate_seconds", "config", "metrics", "machine", "program_version", "finished_at"]
        + addedColumns.map(\.0) + gridColumns.map(\.0)

    /// Ids of the experiments already in the database.
    public func finishedIDs() throws -> Set<String> {
        try reading { db in Set(try String.fetchAll(db, sql: "SELECT id FROM experiment")) }
    }

    public func count() throws -> Int {
        try reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiment") ?? 0 }
    }

    /// Inserts a finished experiment in one transaction; false when its id was already present.
    @discardableResult
    public func insert(_ record: ExperimentRecord) throws -> Bool {
        try writing { db in try Self.insertRow(record, db) }
    }

    /// INSERT OR IGNORE of one row inside the caller's transaction; false when the id was present.
    static func insertRow(_ record: ExperimentRecord, _ db: Database) throws -> Bool {
        let placeholders = Array(repeating: "?", count: Self.columns.count).joined(separator: ", ")
        try db.execute(sql: "INSERT OR IGNORE INTO experiment (\(Self.columns.joined(separator: ", "))) VALUES (\(placeholders))",
                       arguments: StatementArguments(Self.values(record)))
        return db.changesCount > 0
    }

    /// Runs `body` in a write transaction; SQLite's errors become one naming the database.
    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch let error as DatabaseError {
            throw StoreOpening.failure(path: path, error, writing: true)
        }
    }

    /// Runs `body` in a read transaction; SQLite's errors become one naming the database.
    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let error as DatabaseError {
            throw StoreOpening.failure(path: path, error, writing: false)
        }
    }

    /// Every row, oldest first (optionally of one study).
    public func records(study: String? = nil) throws -> [ExperimentRecord] {
        try reading { db in
            let rows = try study.map { try Row.fetchAll(db, sql: "SELECT * FROM experiment WHERE study = ? ORDER BY finished_at, id", arguments: [$0]) }
                ?? Row.fetchAll(db, sql: "SELECT * FROM experiment ORDER BY finished_at, id")
            do { return try rows.map(Self.record) } catch let error as StudyError {
                throw StudyError("\(path): \(error.message)")
            }
        }
    }

    /// Copies every row of the databases at `paths` that this one lacks (by id). Returns how many
    /// rows were added, and how many were already present.
    public func merge(from paths: [String]) throws -> (added: Int, duplicates: Int) {
        var added = 0, duplicates = 0
        for source in paths {
            let other = try ResultsStore(readingFrom: source)
            for record in try other.records() {
                if try insert(record) { added += 1 } else { duplicates += 1 }
            }
        }
        return (added, duplicates)
    }

    static func values(_ r: ExperimentRecord) -> [(any DatabaseValueConvertible)?] {
        [r.id, r.study, r.model, r.architecture, r.method, r.spec, r.weightBits, r.groupSize, r.symmetric,
         r.activationBits, r.lorcRank, r.actOrder, r.seed.map { Int64(bitPattern: $0) }, r.effectiveBits, r.bytes, r.gridAligned,
         jsonText(r.perplexity), r.meanPerplexity, jsonText(r.zeroShot), r.klDivergence, r.top1Agreement,
         r.quantizeSeconds, r.evaluateSeconds, r.configJSON, r.metricsJSON, r.machine, r.programVersion, r.finishedAt,
         r.planID, r.modelFingerprint, r.mseClip, r.staticGroups, r.damping, r.lorcFactorBits, r.calibrationCorpus,
         r.calibrationSamples, r.calibrationLength, r.sequential, r.gridFit, r.gptqBits, r.ggufBits, r.ggufType,
         r.modelBytes, r.parameters, r.diagnostics, r.weightGrid, r.trueSequential]
    }

    static func record(_ row: Row) throws -> ExperimentRecord {
        let r = try CheckedRow(row)
        let id = r.id
        func json<T: Decodable>(_ column: String, _ type: T.Type) throws -> T {
            let text: String = try r.required(column)
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                throw StudyError("experiment \(id): column \(column): malformed JSON (\(error))")
            }
        }
        let seed: Int64? = try r.optional("seed")
        var record = ExperimentRecord(
            id: id, study: try r.required("study"), model: try r.required("model"), architecture: try r.required("architecture"),
            method: try r.required("method"), spec: try r.optional("spec"), weightBits: try r.optional("weight_bits"),
            groupSize: try r.optional("group_size"), symmetric: try r.optional("symmetric"),
            activationBits: try r.required("activation_bits"), lorcRank: try r.optional("lorc_rank"),
            actOrder: try r.required("act_order"), seed: seed.map { UInt64(bitPattern: $0) },
            effectiveBits: try r.required("effective_bits"), bytes: try r.required("bytes"),
            gridAligned: try r.required("grid_aligned"), perplexity: try json("perplexity", [String: Double].self),
            meanPerplexity: try r.optional("mean_perplexity"), zeroShot: try json("zero_shot", [String: TaskScore].self),
            klDivergence: try r.optional("kl_divergence"), top1Agreement: try r.optional("top1_agreement"),
            quantizeSeconds: try r.required("quantize_seconds"), evaluateSeconds: try r.required("evaluate_seconds"),
            configJSON: try r.required("config"), metricsJSON: try r.required("metrics"), machine: try r.required("machine"),
            programVersion: try r.required("program_version"), finishedAt: try r.required("finished_at"))
        record.planID = try r.optional("plan_id") ?? record.planID
        record.modelFingerprint = try r.optional("model_fingerprint") ?? record.modelFingerprint
        record.mseClip = try r.optional("mse_clip") ?? record.mseClip
        record.staticGroups = try r.optional("static_groups") ?? record.staticGroups
        record.damping = try r.optional("damping") ?? record.damping
        record.lorcFactorBits = try r.optional("lorc_factor_bits") ?? record.lorcFactorBits
        record.calibrationCorpus = try r.optional("calib_corpus") ?? record.calibrationCorpus
        record.calibrationSamples = try r.optional("calib_samples") ?? record.calibrationSamples
        record.calibrationLength = try r.optional("calib_length") ?? record.calibrationLength
        record.sequential = try r.optional("sequential") ?? record.sequential
        record.gridFit = try r.optional("grid_fit")
        record.gptqBits = try r.optional("gptq_bits")
        record.ggufBits = try r.optional("gguf_bits")
        record.ggufType = try r.optional("gguf_type")
        record.modelBytes = try r.optional("model_bytes")
        record.parameters = try r.optional("parameters")
        record.diagnostics = try r.optional("diagnostics")
        record.weightGrid = try r.optional("weight_grid") ?? record.weightGrid
        record.trueSequential = try r.optional("true_sequential") ?? record.trueSequential
        return record
    }

    static func jsonText<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A diverged model's perplexity can be inf or nan: keep it, as a string, rather than lose the row's numbers.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
