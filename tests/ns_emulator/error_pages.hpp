// The bodies IIS and ASP.NET send with their errors, close enough that a client's error
// reporting meets realistic text (HTML pages, ASMX exception dumps).
#pragma once

#include <string>
#include <string_view>

namespace psguard::emulator {

// ASMX HTTP POST failure (500, text/plain): the exception and a short managed stack.
std::string asmx_exception(std::string_view exception_type, std::string_view message);

// ASP.NET "yellow screen" for an unhandled exception (500, text/html).
std::string aspnet_error_page(std::string_view message);

// An ASMX SOAP fault (500, text/xml): SOAP 1.1 <faultstring> or SOAP 1.2 <Reason><Text>.
std::string soap_fault(bool soap12, std::string_view message);

// HTTP.sys / IIS pages (text/html).
std::string iis_error_page(unsigned status, std::string_view title, std::string_view detail);

}  // namespace psguard::emulator
