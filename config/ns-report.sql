-- psguard NS report: the status of every package on ONE Package Server, as the NS sees it.
--
-- This is the KB verification query (Packages Invalid in the SMP console but Ready on the
-- Package Server) without its "WHERE ps.Status != 'Ready'" filter, filtered to the Package Server
-- named by the report parameter %PackageServer%. psguard runs it through
-- ReportManagementService.asmx/RunReportWithParameters every cycle.
--
-- Create it once, on the NS:
--   1. SMP console > Reports > All Reports > right-click a folder > New > Report > SQL Report.
--   2. Name it "psguard - Package Server package status"; paste this query on the Data Source tab.
--   3. Parameters tab: add a parameter named PackageServer (Basic Parameter, type String,
--      default value empty). The name must match ns.report_parameter (default "PackageServer").
--   4. Save, then right-click the report > Properties: copy its GUID into ns.report_guid.
--   5. Security: grant the account psguard authenticates as (the Package Server's computer
--      account with "negotiate", or the "basic" user) Read and "Run report" on the report.
--
-- The column ALIASES below are what psguard matches (ns.columns maps them if you rename them).
-- Column names inside SWDPackageServer/SWDPackage differ between ITMS versions; if the query
-- does not run as is, run "SELECT TOP 1 * FROM SWDPackageServer" and adjust the right-hand
-- names, keeping the aliases.
SELECT
    vi.[Name]                    AS [Package Server],
    pkg.[Name]                   AS [Package Name],
    ps.[Status]                  AS [Status],
    pack.[Package Version]       AS [Package Version on NS],
    ps.[Package Version]         AS [Version Last Reported by PS],
    ps.[PackageId]               AS [Package GUID]
FROM SWDPackageServer ps
JOIN vItem vi ON vi.[Guid] = ps.[PkgSvrId]
JOIN SWDPackage pack ON pack.[PackageId] = ps.[PackageId] AND pack.[_Latest] = 1
JOIN vItem pkg ON pkg.[Guid] = ps.[PackageId]
WHERE vi.[Name] = '%PackageServer%'
ORDER BY pkg.[Name];
