// The emulated ASDK report call: ReportManagementService.asmx/RunReportWithParameters over
// HTTP POST, validated as ASMX would and bent by the scenario's fault.
#pragma once

#include <string_view>

#include "emulator_state.hpp"
#include "reply.hpp"

namespace psguard::emulator {

inline constexpr std::string_view kReportPath =
    "/Altiris/ASDK.NS/ReportManagementService.asmx/RunReportWithParameters";

// Decides the answer to any request that is not for /_emulator/, and logs it.
Reply answer_ns_request(const Request& request, EmulatorState& state);

}  // namespace psguard::emulator
