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
-- The column ALIASES below are what psguard matches (ns.columns maps them if you rename them);
-- the NS serialises them with XmlConvert escapes (Package_x0020_GUID) and leaves NULL cells out,
-- which psguard reads as "unknown" for every column but Status and Package GUID.
-- The SELECT list and the joins are the KB's verification query column for column (Package
-- Server name, Package Name, Status, Package Version on NS, Version Last Reported by PS, Package
-- GUID); only its "ps.[Status] != 'Ready'" filter is replaced by the Package Server parameter.
-- To confirm on your NS: run "SELECT TOP 1 * FROM SWDPackageServer" in SQL Management Studio and
-- check that the Status, Version and PackageId columns exist under these names.
--
-- Optional Error column (ns.columns.error, default "Error"): SWDPackageServer keeps the error
-- text the Package Server reported for a package (for example "The trust relationship between
-- this workstation and the primary domain failed(1789)"). When the report returns it, psguard
-- reads it as evidence and quotes it in the package's reason. Its column name differs between
-- ITMS versions: find it with the SELECT TOP 1 above, then uncomment the line and put the name
-- on its right-hand side.
SELECT
    vi.[Name]                    AS [Package Server],
    pack.[Name]                  AS [Package Name],
    ps.[Status]                  AS [Status],
    pack.[Package Version]       AS [Package Version on NS],
    ps.[Version]                 AS [Version Last Reported by PS],
    ps.[PackageId]               AS [Package GUID]
--  , ps.[Error]                 AS [Error]
FROM SWDPackageServer ps
JOIN vItem vi ON vi.[Guid] = ps.[PkgSvrId]
JOIN SWDPackage pack ON pack.[PackageId] = ps.[PackageId] AND pack.[_Latest] = 1
WHERE vi.[Name] = '%PackageServer%'
ORDER BY pack.[Name];
