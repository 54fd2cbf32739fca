<#
.SYNOPSIS
  Installs or removes the termprobe IIS module on ONE site (or one path of it).

.DESCRIPTION
  Install: copies the DLL to %ProgramFiles%\termprobe, registers it as a
  global native module WITHOUT enabling it anywhere (appcmd install module
  /add:false), then enables it only in a <location> for -Site [-Path]
  (<modules> in applicationHost.config). With -Token, the application pool
  gets TERMPROBE_TOKEN and the destructive endpoints require the header
  X-Termprobe-Token. Uninstall reverses every step.

  Written from Microsoft's appcmd documentation; it has not been run here
  (termprobe's CI has no Windows): unverified. Run it on a test server first.

.EXAMPLE
  .\install-iis-module.ps1 -Action Install -Site "termprobe-test" -DllPath .\termprobe_module.dll -Token s3cret
  .\install-iis-module.ps1 -Action Uninstall -Site "termprobe-test"
#>
param(
  [Parameter(Mandatory = $true)][ValidateSet('Install', 'Uninstall')][string]$Action,
  [Parameter(Mandatory = $true)][string]$Site,
  [string]$Path = '',
  [string]$DllPath = (Join-Path $PSScriptRoot '..\build-iis\Release\termprobe_module.dll'),
  [string]$Token = '',
  [string]$Name = 'TermprobeModule'
)
$ErrorActionPreference = 'Stop'
$appcmd = Join-Path $env:windir 'system32\inetsrv\appcmd.exe'
if (-not (Test-Path $appcmd)) { throw "appcmd.exe not found: is IIS installed?" }
$location = if ($Path) { "$Site/$($Path.Trim('/'))" } else { $Site }
$installDir = Join-Path $env:ProgramFiles 'termprobe'
$image = Join-Path $installDir 'termprobe_module.dll'

function Invoke-Appcmd([string[]]$Arguments, [switch]$AllowFailure) {
  & $appcmd @Arguments
  if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) { throw "appcmd $($Arguments -join ' ') failed ($LASTEXITCODE)" }
}

function Get-AppPool {
  $pool = & $appcmd list app "$Site/" /text:apppool.name
  if (-not $pool) { throw "site '$Site' has no root application" }
  return $pool.Trim()
}

if ($Action -eq 'Install') {
  if (-not (Test-Path $DllPath)) { throw "module DLL not found: $DllPath (build module/iis first)" }
  New-Item -ItemType Directory -Force -Path $installDir | Out-Null
  Copy-Item -Force $DllPath $image
  Invoke-Appcmd @('install', 'module', "/name:$Name", "/image:$image", '/add:false')
  Invoke-Appcmd @('set', 'config', $location, '-section:system.webServer/modules', "/+[name='$Name']", '/commit:apphost')
  if ($Token) {
    $pool = Get-AppPool
    Invoke-Appcmd @('set', 'config', '-section:system.applicationHost/applicationPools',
      "/+[name='$pool'].environmentVariables.[name='TERMPROBE_TOKEN',value='$Token']", '/commit:apphost')
    Invoke-Appcmd @('recycle', 'apppool', "/apppool.name:$pool")
  }
  Write-Host "termprobe module enabled on '$location' only. Check: termprobe run --target http://<host>/ --profile iis"
} else {
  Invoke-Appcmd @('set', 'config', $location, '-section:system.webServer/modules', "/-[name='$Name']", '/commit:apphost') -AllowFailure
  $pool = Get-AppPool
  Invoke-Appcmd @('set', 'config', '-section:system.applicationHost/applicationPools',
    "/-[name='$pool'].environmentVariables.[name='TERMPROBE_TOKEN']", '/commit:apphost') -AllowFailure
  Invoke-Appcmd @('uninstall', 'module', $Name) -AllowFailure
  Remove-Item -Force -ErrorAction SilentlyContinue $image
  Write-Host "termprobe module removed from '$location' and unregistered."
}
