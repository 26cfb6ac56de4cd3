import ArgumentParser
import Foundation
import OrderedCollections
import StreamSQL
import StreamSQLFlink
import StreamSQLShell

/// `streamsql flink export|run`: the same SQL on Apache Flink.
struct FlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flink",
        abstract: "Translate a script to Flink SQL, or run it on Apache Flink (local or a cluster) and compare.",
        subcommands: [FlinkExport.self, FlinkRun.self])
}

/// Options shared by export and run.
struct FlinkOptions: ParsableArguments {
    @Argument(help: "The SQL script.")
    var script: String

    @Option(name: .customLong("input"), help: "STREAM=FILE (JSON Lines): where Flink reads the stream, and how its field types are learnt. Repeatable.")
    var inputs: [String] = []

    @Option(name: .customLong("source"), help: "[STREAM=]kafka:BROKERS/TOPIC[?group.id=G&scan.startup.mode=M]: read the stream from Kafka (JSON) instead of its --input file, which (if given) is then a sample for the field types. Repeatable; STREAM= may be left out when there is one --input.")
    var sources: [String] = []

    @Option(name: .customLong("sink"), help: "kafka:BROKERS/TOPIC: every query writes JSON rows to Kafka instead of --out; {query} in TOPIC is the query's name.")
    var sink: String?

    @Flag(name: .customLong("skip-refused"), help: "Leave out the statements Flink cannot express (listed as comments and warnings) instead of stopping.")
    var skipRefused = false

    @Option(help: "Parallelism of the job (default 1: reproducible results).")
    var parallelism: Int?

    @Option(name: .customLong("checkpoint-interval"), help: "Checkpoint every DURATION (e.g. 30s); default: no checkpoints.")
    var checkpointInterval: String?

    @Option(name: .customLong("state-backend"), help: "rocksdb or hashmap (Flink's default).")
    var stateBackend: String?

    @Option(name: .customLong("state-ttl"), help: "Drop state idle this long (e.g. 1h): Flink's table.exec.state.ttl, as STATETTL in a query.")
    var stateTTL: String?

    @Option(name: .customLong("watermark-interval"), help: "How often Flink emits watermarks (default 0 ms: on every event, reproducible).")
    var watermarkInterval: String?

    @Option(help: "Folder for the sink directories (default: a new temporary folder for run, ./flink-out for export).")
    var out: String?

    /// The job options as Flink configuration, each checked here (a bad value is a usage error, not a failed job).
    func jobOptions() throws -> [(String, String)] {
        func millis(_ text: String, _ flag: String) throws -> String {
            guard let n = Durations.parse(text, allowZero: flag == "--watermark-interval") else {
                warn("\(flag) takes a duration such as 30s or 200ms, got '\(text)'")
                throw ExitCode(2)
            }
            return "\(n / 1_000_000) ms"
        }
        var o: [(String, String)] = []
        if let p = parallelism {
            guard p > 0 else { warn("--parallelism takes a positive number, got \(p)"); throw ExitCode(2) }
            o.append(("parallelism.default", String(p)))
        }
        if let c = checkpointInterval { o.append(("execution.checkpointing.interval", try millis(c, "--checkpoint-interval"))) }
        if let b = stateBackend {
            guard ["rocksdb", "hashmap"].contains(b.lowercased()) else { warn("--state-backend takes rocksdb or hashmap, got '\(b)'"); throw ExitCode(2) }
            o.append(("state.backend.type", b.lowercased()))
        }
        if let t = stateTTL { o.append(("table.exec.state.ttl", try millis(t, "--state-ttl"))) }
        if let w = watermarkInterval { o.append(("pipeline.auto-watermark-interval", try millis(w, "--watermark-interval"))) }
        return o
    }

    /// `--source` and `--sink`, checked (a bad value is a usage error).
    func kafka(streams: [String]) throws -> ([String: KafkaEndpoint], KafkaEndpoint?) {
        func endpoint(_ text: String, _ flag: String) throws -> KafkaEndpoint {
            switch KafkaEndpoint.parse(text) {
            case .success(let e): return e
            case .failure(let e): warn("\(flag): \(e.message)"); throw ExitCode(2)
            }
        }
        var sourcesByStream: [String: KafkaEndpoint] = [:]
        for s in sources {
            var stream: String, text = s
            if let eq = s.firstIndex(of: "="), !s.lowercased().hasPrefix("kafka:") {
                stream = String(s[..<eq])
                text = String(s[s.index(after: eq)...])
            } else {
                guard streams.count == 1, let only = streams.first else {
                    warn("--source: name the stream it feeds (--source STREAM=\(s)): there are \(streams.count) --input streams")
                    throw ExitCode(2)
                }
                stream = only
            }
            sourcesByStream[stream.lowercased()] = try endpoint(text, "--source")
        }
        return (sourcesByStream, try sink.map { try endpoint($0, "--sink") })
    }

    func translate(outputDirectory: String) throws -> (FlinkTranslator.Output, [ScriptRunner.Input], String) {
        guard let data = FileManager.default.contents(atPath: script) else { warn("cannot read \(script)"); throw ExitCode(2) }
        var parsed: [ScriptRunner.Input] = []
        for i in inputs {
            guard let input = ScriptRunner.Input(argument: i) else { warn("--input takes STREAM=FILE, got '\(i)'"); throw ExitCode(2) }
            let path = URL(fileURLWithPath: input.path).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: path) else { warn("cannot read \(path)"); throw ExitCode(2) }
            parsed.append(ScriptRunner.Input(stream: input.stream, path: path))
        }
        let text = String(decoding: data, as: UTF8.self)
        var t = FlinkTranslator(inputs: Dictionary(parsed.map { ($0.stream, $0.path) }, uniquingKeysWith: { a, _ in a }),
                                outputDirectory: outputDirectory)
        t.skipRefused = skipRefused
        (t.kafkaSources, t.kafkaSink) = try kafka(streams: parsed.map(\.stream))
        t.jobOptions = try jobOptions()
        let base = URL(fileURLWithPath: script).deletingLastPathComponent().path
        do {
            return (try t.translate(script: text, baseDirectory: base), parsed, text)
        } catch {
            // Errors point into the script file: NAME:LINE:COLUMN, the line and a caret.
            warn(error.source == text ? error.rendered(file: script, script: text, statement: text, at: ScriptPosition(offset: 0, line: 1, column: 1))
                                      : "\(script): " + error.rendered())
            throw ExitCode(1)
        }
    }
}

struct FlinkExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print the script as a complete Flink SQL script (SET lines, sources, sinks, queries).")

    @OptionGroup var options: FlinkOptions

    func run() throws {
        let dir = URL(fileURLWithPath: options.out ?? "flink-out").standardizedFileURL.path
        let (t, _, _) = try options.translate(outputDirectory: dir)
        for w in t.warnings { warn("warning: " + w) }
        for r in t.refused { warn("not translated: \(options.script) " + r) }
        print(t.script, terminator: "")
    }
}

struct FlinkRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the translated script on Flink and print its rows as JSON lines tagged with the query name.",
        discussion: """
            Without --cluster, a local Flink runs in this process's Python environment: the first run creates a virtual
            environment with apache-flink in the user's cache folder (about 500 MB, a minute or two). --compare also runs the
            script on this engine over the same files and reports, per query, the rows both engines agree on.
            """)

    @OptionGroup var options: FlinkOptions

    @Option(help: "A Flink cluster's REST address, HOST:PORT (default: a local Flink).")
    var cluster: String?

    @Flag(help: "Also run the script here and compare the rows, query by query.")
    var compare = false

    @Flag(name: .customLong("one-job"), help: "Run all the script's queries as one Flink job (a statement set), queries reading a stream the same way sharing its source, instead of a job per query.")
    var oneJob = false

    @Option(help: "Relative tolerance when comparing decimals (integers, timestamps and text compare exactly).")
    var tolerance = 1e-9

    @Option(name: .customLong("flink-version"), help: "The apache-flink version to install.")
    var flinkVersion = "2.3.0"

    func run() throws {
        let out = URL(fileURLWithPath: options.out ?? (NSTemporaryDirectory() + "streamsql-flink-\(UUID().uuidString)")).standardizedFileURL.path
        if !options.sources.isEmpty || options.sink != nil {
            warn("--source and --sink kafka:… are for flink export (the local Flink has no Kafka connector): run the exported script with Flink's SQL client on a cluster that has it")
            throw ExitCode(2)
        }
        let (t, inputs, text) = try options.translate(outputDirectory: out)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let sqlFile = out + "/job.sql"
        try t.script.write(toFile: sqlFile, atomically: true, encoding: .utf8)
        let python = try FlinkRuntime.python(version: flinkVersion)
        let driver = out + "/driver.py"
        try FlinkRuntime.driver.write(toFile: driver, atomically: true, encoding: .utf8)
        var args = [driver, sqlFile]
        if oneJob { args.append("--one-job") }
        if let cluster { args.append(cluster) }
        let started = Date()
        let status = FlinkRuntime.exec(python, args)
        guard status == 0 else { warn("Flink failed (exit \(status)); the job's SQL is in \(sqlFile)"); throw ExitCode(1) }
        warn(String(format: "flink: %d quer%@ in %.1f s", t.sinks.count, t.sinks.count == 1 ? "y" : "ies", Date().timeIntervalSince(started)))
        var flinkRows: [String: [OrderedDictionary<String, Value>]] = [:]
        for (q, path) in t.sinks { flinkRows[q] = FlinkRuntime.readSink(path) }
        if !compare {
            for (q, _) in t.sinks {
                for r in flinkRows[q] ?? [] { print(JSONWriter.string(object: ["query": .string(q), "row": .object(r)])) }
            }
            return
        }
        // Our engine over the same files, flushing at the end as Flink does with bounded files.
        let lines = Locked<[String]>([])
        let engine = Engine()
        engine.baseDirectory = URL(fileURLWithPath: options.script).deletingLastPathComponent().path
        let runner = ScriptRunner(engine: engine, write: { l in lines.mutate { $0.append(l) } }, writeError: { warn($0) })
        runner.tagged = true
        // The input files' streams exist before the script runs, as under `streamsql run`.
        for input in inputs { engine.createStream(input.stream) }
        _ = runner.runScript(text)
        runner.replay(inputs)
        var ours: [String: [OrderedDictionary<String, Value>]] = [:]
        for l in lines.value {
            guard case .object(let o)? = try? JSONReader.parse(l), let q = o["query"]?.asString, case .object(let row)? = o["row"] else { continue }
            ours[q, default: []].append(row)
        }
        var differences = 0
        for (q, _) in t.sinks {
            let r = FlinkCompare.compare(ours[q] ?? [], flinkRows[q] ?? [], tolerance: tolerance)
            differences += r.onlyOurs.count + r.onlyFlink.count
            print("\(q): \(r.same) equal rows, \(r.onlyOurs.count) only here, \(r.onlyFlink.count) only in Flink")
            for x in r.onlyOurs.prefix(5) { print("  here:  " + JSONWriter.string(object: x)) }
            for x in r.onlyFlink.prefix(5) { print("  flink: " + JSONWriter.string(object: x)) }
        }
        for w in t.warnings { print("warning: " + w) }
        for r in t.refused { print("not translated: " + r) }
        print(differences == 0 ? "no differences" : "\(differences) rows differ")
        if differences > 0 { throw ExitCode(1) }
    }
}


/// The local Flink: a virtual environment with apache-flink, and the driver that runs a translated script.
enum FlinkRuntime {
    static func exec(_ program: String, _ args: [String], quiet: Bool = false) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        if quiet { p.standardOutput = FileHandle.nullDevice }
        do { try p.run() } catch { warn("cannot run \(program): \(error)"); return 127 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// The venv's python, creating the venv on first use.
    static func python(version: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        // A Python that already has apache-flink (a shared virtual environment, a cluster's client).
        if let given = env["STREAMSQL_FLINK_PYTHON"], FileManager.default.isExecutableFile(atPath: given) { return given }
        let cache = env["XDG_CACHE_HOME"].map { $0 + "/streamsql" } ?? ((env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/streamsql")
        let venv = cache + "/flink-\(version)"
        let python = venv + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: python),
           FileManager.default.fileExists(atPath: venv + "/.ready") { return python }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        warn("flink: first use — creating \(venv) with apache-flink \(version) (about 500 MB; a minute or two)…")
        guard exec("/usr/bin/env", ["python3", "-m", "venv", venv]) == 0 else { warn("cannot create a Python virtual environment (python3 -m venv)"); throw ExitCode(1) }
        guard exec(venv + "/bin/pip", ["install", "--quiet", "apache-flink==\(version)"]) == 0 else {
            warn("pip could not install apache-flink==\(version)")
            throw ExitCode(1)
        }
        _ = FileManager.default.createFile(atPath: venv + "/.ready", contents: Data())
        warn("flink: ready")
        return python
    }

    /// Rows of a filesystem JSON sink: every finished part file, in name order.
    static func readSink(_ path: String) -> [OrderedDictionary<String, Value>] {
        var rows: [OrderedDictionary<String, Value>] = []
        guard let e = FileManager.default.enumerator(atPath: path) else { return rows }
        var files: [String] = []
        for case let f as String in e where !URL(fileURLWithPath: f).lastPathComponent.hasPrefix(".") { files.append(f) }
        for f in files.sorted() {
            guard let data = FileManager.default.contents(atPath: path + "/" + f) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                if case .object(let o)? = try? JSONReader.parse(String(line)) { rows.append(o) }
            }
        }
        return rows
    }

    /// Runs the statements of a translated script with PyFlink, one job per sink, waiting for each; with
    /// `--one-job`, every sink's query goes into one statement set (Flink's SQL has no CREATE TABLE … AS SELECT
    /// in `EXECUTE STATEMENT SET`, so the sinks become table descriptors whose columns Flink takes from the query).
    static let driver = #"""
    import re, sys
    from pyflink.table import EnvironmentSettings, TableEnvironment, TableDescriptor

    sql_file = sys.argv[1]
    one_job = "--one-job" in sys.argv[2:]
    rest = [a for a in sys.argv[2:] if a != "--one-job"]
    statement_set = None
    settings = EnvironmentSettings.in_streaming_mode()
    env = TableEnvironment.create(settings)
    if rest:
        host, port = rest[0].rsplit(":", 1)
        conf = env.get_config()
        conf.set("execution.target", "remote")
        conf.set("rest.address", host)
        conf.set("rest.port", port)
    text = open(sql_file).read()
    statements = [s.strip() for s in re.split(r";\s*\n\s*\n", text + "\n\n") if s.strip() and not s.strip().startswith("--")]
    for s in statements:
        s = s.rstrip(";").strip()
        lines = [l for l in s.split("\n") if not l.strip().startswith("--")]
        s = "\n".join(lines).strip()
        if not s:
            continue
        m = re.match(r"SET\s+'([^']+)'\s*=\s*'([^']*)'", s, re.I)
        if m:
            env.get_config().set(m.group(1), m.group(2))
            continue
        ctas = re.match(r"CREATE\s+TABLE\s+\S+\s+WITH\s*\((.*?)\)\s*AS\s+(.*)$", s, re.I | re.S)
        if ctas and one_job:
            options = dict(re.findall(r"'([^']*)'\s*=\s*'([^']*)'", ctas.group(1)))
            sink = TableDescriptor.for_connector(options.pop("connector"))
            for k, v in options.items():
                sink = sink.option(k, v)
            if statement_set is None:
                statement_set = env.create_statement_set()
            statement_set.add_insert(sink.build(), env.sql_query(ctas.group(2)))
            continue
        result = env.execute_sql(s)
        if ctas:
            result.wait()
    if statement_set is not None:
        statement_set.execute().wait()
    """#
}

/// Row-by-row comparison of two engines' results: a multiset match with a numeric tolerance.
enum FlinkCompare {
    struct Result { var same = 0; var onlyOurs: [OrderedDictionary<String, Value>] = []; var onlyFlink: [OrderedDictionary<String, Value>] = [] }

    static func equal(_ a: Value, _ b: Value, _ tol: Double) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return Set(x.keys) == Set(y.keys) && x.allSatisfy { k, v in equal(v, y[k] ?? .null, tol) }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1, tol) }
        case (.int(let x), .int(let y)):
            return x == y  // integers and nanosecond timestamps: exactly (1e-9 of 1.7e18 ns would be 1.7 s)
        default:
            // Decimals within the relative tolerance; an integer against a decimal only when the decimal is whole.
            switch (a, b) {
            case (.double(let p), .double(let q)): return p == q || abs(p - q) <= tol * max(abs(p), abs(q))
            case (.int(let i), .double(let d)), (.double(let d), .int(let i)): return d == d.rounded() && abs(d) < 9e18 && Int64(d) == i
            default: return a == b
            }
        }
    }

    static func compare(_ ours: [OrderedDictionary<String, Value>], _ flink: [OrderedDictionary<String, Value>], tolerance: Double) -> Result {
        var r = Result()
        var rest = flink
        for o in ours {
            if let i = rest.firstIndex(where: { equal(.object(o), .object($0), tolerance) }) {
                rest.remove(at: i)
                r.same += 1
            } else {
                r.onlyOurs.append(o)
            }
        }
        r.onlyFlink = rest
        return r
    }
}

extension Value {
    var isString: Bool { if case .string = self { return true }; return false }
}
