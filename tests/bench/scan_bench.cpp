// Google Benchmark programs for the local side of a cycle, on a generated tree of N packages
// (tree_generator.hpp): the full scan + reconcile that every timer cycle does, its parts, and the
// incremental re-check of one changed package that a file event triggers (ScanCache::refresh).
// The tree is PSGUARD_BENCH_TREE when set (scripts/bench.sh generates it once and measures the
// `find`/`cat` floor on the same files), else generated in a temporary folder with
// PSGUARD_BENCH_PACKAGES packages (default 10000). Warm cache: every benchmark reads the tree
// once before timing.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/guid.hpp"
#include "local/scan_cache.hpp"
#include "local/status_parser.hpp"
#include "local/tree_scanner.hpp"
#include "reconcile/verdict.hpp"
#include "tree_generator.hpp"

namespace psguard::bench {
namespace {

namespace fs = std::filesystem;

struct Fixture {
    fs::path root;
    bool owned = false;
    std::size_t packages = 0;
    PathsConfig paths;
    ParseConfig parse;
    NsAnswer answer;

    Fixture() {
        if (const char* given = std::getenv("PSGUARD_BENCH_TREE"); given != nullptr && *given) {
            root = given;
        } else {
            const char* count = std::getenv("PSGUARD_BENCH_PACKAGES");
            const std::size_t wanted = count != nullptr ? std::stoul(count) : 10000;
            root = fs::temp_directory_path() /
                   ("psguard-bench-" + std::to_string(::getpid()) + "-" + std::to_string(wanted));
            generate_tree(root, wanted);
            owned = true;
        }
        paths.package_delivery = root / "Package Delivery";
        paths.package_status = root / "Package Server Agent" / "PackageStatus";
        paths.state_dir = root / "state";
        for (const auto& entry : fs::directory_iterator(paths.package_delivery)) {
            (void)entry;
            ++packages;
        }
        for (std::size_t i = 0; i < packages; ++i) {
            NsPackageRow row;
            row.id = *normalise_guid(package_guid(i));
            row.name = "Package " + std::to_string(i);
            row.server = "PS01";
            row.status = "Ready";
            row.ns_version = kBenchVersion;
            row.reported_version = kBenchVersion;
            answer.rows.push_back(std::move(row));
        }
        // Warm the page and dentry caches, and check that the tree reads as generated.
        const LocalScan scan = scan_local_state(paths, parse);
        const auto verdicts = reconcile(scan, answer, {});
        std::size_t healthy = 0;
        for (const auto& verdict : verdicts) {
            healthy += verdict.verdict == Verdict::healthy ? 1 : 0;
        }
        if (healthy != packages) {
            throw std::runtime_error("the generated tree does not read as " +
                                     std::to_string(packages) + " healthy packages but " +
                                     std::to_string(healthy));
        }
    }
    ~Fixture() {
        if (owned) {
            std::error_code ignored;
            fs::remove_all(root, ignored);
        }
    }
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;
};

Fixture& fixture() {
    static Fixture instance;
    return instance;
}

void BM_FullScanAndReconcile(benchmark::State& state) {
    Fixture& f = fixture();
    for (auto _ : state) {
        const LocalScan scan = scan_local_state(f.paths, f.parse);
        auto verdicts = reconcile(scan, f.answer, {});
        benchmark::DoNotOptimize(verdicts);
    }
    state.counters["packages"] = static_cast<double>(f.packages);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.packages));
}
BENCHMARK(BM_FullScanAndReconcile)->Unit(benchmark::kMillisecond);

void BM_FullScanOnly(benchmark::State& state) {
    Fixture& f = fixture();
    for (auto _ : state) {
        auto scan = scan_local_state(f.paths, f.parse);
        benchmark::DoNotOptimize(scan);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.packages));
}
BENCHMARK(BM_FullScanOnly)->Unit(benchmark::kMillisecond);

void BM_ReconcileOnly(benchmark::State& state) {
    Fixture& f = fixture();
    const LocalScan scan = scan_local_state(f.paths, f.parse);
    for (auto _ : state) {
        auto verdicts = reconcile(scan, f.answer, {});
        benchmark::DoNotOptimize(verdicts);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.packages));
}
BENCHMARK(BM_ReconcileOnly)->Unit(benchmark::kMillisecond);

// One file event: package k's PackageStatus.xml was rewritten; the agent re-scans that package
// (ScanCache::refresh) and reconciles against the NS answer, keeping the verdicts of the packages
// neither re-read nor changed on the NS (reconcile with PreviousVerdicts), as the agent does.
void BM_IncrementalRecheck(benchmark::State& state) {
    Fixture& f = fixture();
    ScanCache cache;
    cache.full(f.paths, f.parse);
    const std::size_t k = f.packages / 2;
    const std::string id = *normalise_guid(package_guid(k));
    fs::path status_file;
    for (const auto& entry : fs::directory_iterator(f.paths.package_status)) {
        if (normalise_guid(entry.path().filename().string()) == id) {
            status_file = entry.path() / "PackageStatus.xml";
        }
    }
    std::ifstream in(status_file, std::ios::binary);
    const std::string original(std::istreambuf_iterator<char>(in), {});
    const std::set<std::string> changed = {id};
    // The last cycle's verdicts; the previous ones are freed outside the timing, as the agent
    // frees them when it publishes the new report.
    std::vector<PackageVerdict> previous = reconcile(cache.current(), f.answer, {});
    std::vector<PackageVerdict> latest;
    bool flip = false;
    for (auto _ : state) {
        state.PauseTiming();
        if (!latest.empty()) {
            previous = std::move(latest);
        }
        {
            std::ofstream out(status_file, std::ios::binary | std::ios::trunc);
            out << (flip ? original
                         : "<PackageStatus status=\"Downloading\" version=\"1601867730\"/>");
        }
        flip = !flip;
        state.ResumeTiming();
        const LocalScan& scan = cache.refresh(f.paths, f.parse, changed);
        latest = reconcile(scan, f.answer, {}, PreviousVerdicts{previous, changed});
        benchmark::DoNotOptimize(latest);
    }
    std::ofstream(status_file, std::ios::binary | std::ios::trunc) << original;
    if (cache.last_was_full()) {
        state.SkipWithError("ScanCache fell back to a full scan");
    }
}
BENCHMARK(BM_IncrementalRecheck)->Unit(benchmark::kMillisecond);

// The re-scan alone (both roots listed to find the package's folders in any case, the package
// read again), without the reconcile.
void BM_IncrementalRefreshOnly(benchmark::State& state) {
    Fixture& f = fixture();
    ScanCache cache;
    cache.full(f.paths, f.parse);
    const std::set<std::string> changed = {*normalise_guid(package_guid(f.packages / 3))};
    for (auto _ : state) {
        const LocalScan& scan = cache.refresh(f.paths, f.parse, changed);
        benchmark::DoNotOptimize(&scan);
    }
}
BENCHMARK(BM_IncrementalRefreshOnly)->Unit(benchmark::kMillisecond);

// The parsers alone, on one document of each form: what a package costs before any I/O.
void BM_ParseStatusDocument(benchmark::State& state) {
    const ParseConfig parse;
    const std::string bytes =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PackageStatus id=\"{6C821F5E-0000-4000-"
        "8000-000000000001}\" status=\"Ready\" version=\"1601867730\"/>\n";
    for (auto _ : state) {
        auto parsed = parse_status_document(bytes, parse);
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_ParseStatusDocument);

void BM_ParseSnapshotDocument(benchmark::State& state) {
    const ParseConfig parse;
    const std::string bytes =
        "<snapshot version=\"1601867730\"><file name=\"file0.msi\" size=\"100\"/><file "
        "name=\"file1.msi\" size=\"200\"/><file name=\"bin\\tool3.dll\" size=\"300\"/></snapshot>";
    for (auto _ : state) {
        auto parsed = parse_snapshot_document(bytes, parse);
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_ParseSnapshotDocument);

}  // namespace
}  // namespace psguard::bench

BENCHMARK_MAIN();
