#include "error_pages.hpp"

#include "dataset_writer.hpp"

namespace psguard::emulator {

std::string asmx_exception(std::string_view exception_type, std::string_view message) {
    std::string out(exception_type);
    out += ": ";
    out += message;
    out +=
        "\r\n   at System.Web.Services.Protocols.HttpServerProtocol.ReadParameters()"
        "\r\n   at System.Web.Services.Protocols.WebServiceHandler.CoreProcessRequest()\r\n";
    return out;
}

std::string aspnet_error_page(std::string_view message) {
    const std::string text = xml_escape(message);
    return "<!DOCTYPE html>\r\n<html>\r\n    <head>\r\n        <title>" + text +
           "</title>\r\n    </head>\r\n    <body bgcolor=\"white\">\r\n"
           "            <span><H1>Server Error in '/Altiris/ASDK.NS' Application.<hr width=100% "
           "size=1 color=silver></H1>\r\n"
           "            <h2> <i>" +
           text +
           "</i> </h2></span>\r\n"
           "            <b> Exception Details: </b>System.Data.SqlClient.SqlException: " +
           text +
           "<br><br>\r\n"
           "            <b>Version Information:</b>&nbsp;Microsoft .NET Framework "
           "Version:4.0.30319; ASP.NET Version:4.8.4645.0\r\n    </body>\r\n</html>\r\n";
}

std::string iis_error_page(unsigned status, std::string_view title, std::string_view detail) {
    const std::string code = std::to_string(status);
    return "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
           "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n"
           "<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n<title>" +
           code + " - " + xml_escape(title) +
           "</title>\r\n</head>\r\n<body>\r\n<div id=\"header\"><h1>Server Error</h1></div>\r\n"
           "<div id=\"content\">\r\n <div class=\"content-container\"><fieldset>\r\n  <h2>" +
           code + " - " + xml_escape(title) + "</h2>\r\n  <h3>" + xml_escape(detail) +
           "</h3>\r\n </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n";
}

std::string soap_fault(bool soap12, std::string_view message) {
    const std::string text = xml_escape(message);
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    if (soap12) {
        out +=
            "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">"
            "<soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value>"
            "</soap:Code><soap:Reason><soap:Text xml:lang=\"en\">" +
            text +
            "</soap:Text></soap:Reason><soap:Detail /></soap:Fault></soap:Body>"
            "</soap:Envelope>";
    } else {
        out +=
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
            "<soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>" +
            text + "</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>";
    }
    return out;
}

}  // namespace psguard::emulator
