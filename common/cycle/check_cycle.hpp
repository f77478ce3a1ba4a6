// One read-only cycle: scan the local folders, ask the NS, reconcile.
#pragma once

#include "config/config.hpp"
#include "cycle/check_report.hpp"
#include "ns/ns_client.hpp"

namespace psguard {

CheckReport run_check_cycle(const Config& config, NsClient& ns,
                            const ReconcileOptions& options = {});

}  // namespace psguard
