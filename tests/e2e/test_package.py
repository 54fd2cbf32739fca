"""The Debian package (CPack's DEB generator over the install rules): its
name, the files it installs, and a Depends that names the package of every
shared library the binary loads. Installing it: scripts/package --try / --here."""

import gzip
import os
import re
import shutil
import subprocess
import unittest

from harness import SANITIZED, TERMPROBE, run_termprobe

BUILD = os.path.dirname(os.path.abspath(TERMPROBE))
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def owners(paths):
    """The package that installed each of `paths`, in one dpkg query (each takes a second on a busy
    machine). /lib is /usr/lib (merged /usr) and a package names either: both are asked."""
    def forms(path):
        return [path, "/usr" + path if path.startswith("/lib/") else path.removeprefix("/usr")]
    found = subprocess.run(["dpkg", "-S", *(form for path in paths for form in forms(path))], capture_output=True,
                           text=True).stdout
    owner = {line.split(": ", 1)[1]: line.split(":")[0] for line in found.splitlines()}
    return [next(owner[form] for form in forms(path) if form in owner) for path in paths]


def needed_packages(binary):
    """What provides each shared library `binary` names itself (NEEDED): the package owning
    the file ldd resolves it to, and the names that package Provides (libspdlog1.10-fmt9)."""
    needed = re.findall(r"NEEDED\s+(\S+)", subprocess.run(["objdump", "-p", binary], capture_output=True, text=True,
                                                           check=True).stdout)
    resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", subprocess.run(["ldd", binary], capture_output=True,
                                                                     text=True, check=True).stdout, re.M))
    found = []
    for package in set(owners([resolved[name] for name in needed])):
        provides = subprocess.run(["dpkg-query", "-W", "-f=${Provides}", package], capture_output=True, text=True,
                                  check=True).stdout
        found.append({package} | {re.split(r"[ (]", p.strip())[0] for p in provides.split(",") if p.strip()})
    return found


@unittest.skipIf(SANITIZED, "the package is made from the release build, not the sanitizer build")
@unittest.skipUnless(shutil.which("cpack") and shutil.which("dpkg-deb") and shutil.which("dpkg-shlibdeps"),
                     "cpack, dpkg-deb and dpkg-shlibdeps are needed (Debian: cmake, dpkg, dpkg-dev)")
class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        version = run_termprobe("--version", timeout=20).stdout.strip()
        arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
        cls.deb = os.path.join(BUILD, "package", f"termprobe_{version}_{arch}.deb")
        # scripts/test makes the package before the tests run (scripts/package --here): only a
        # missing or older one is made again here (CPack strips the binary: tens of seconds).
        if not os.path.exists(cls.deb) or os.path.getmtime(cls.deb) < os.path.getmtime(TERMPROBE):
            subprocess.run([os.path.join(SOURCE, "scripts", "package")], env={**os.environ, "TERMPROBE_BUILD_DIR": BUILD},
                           capture_output=True, check=True, timeout=600)

    def field(self, name):
        return subprocess.run(["dpkg-deb", "-f", self.deb, name], capture_output=True, text=True,
                              check=True).stdout.strip()

    def test_named_termprobe_version_arch(self):
        self.assertTrue(os.path.exists(self.deb), os.listdir(os.path.dirname(self.deb)))

    def test_installs_the_binary_page_completions_schema_and_iis_module(self):
        listing = subprocess.run(["dpkg-deb", "-c", self.deb], capture_output=True, text=True, check=True).stdout
        files = set(re.findall(r"\./(\S+)$", listing, re.M))
        for path in ["usr/bin/termprobe", "usr/share/man/man1/termprobe.1.gz",
                     "usr/share/bash-completion/completions/termprobe", "usr/share/zsh/vendor-completions/_termprobe",
                     "usr/share/termprobe/report.schema.json", "usr/share/termprobe/iis-module/install-iis-module.ps1",
                     "usr/share/termprobe/iis-module/src/termprobe_module.cpp",
                     "usr/share/termprobe/iis-module/iis/CMakeLists.txt", "usr/share/doc/termprobe/outcomes.md"]:
            self.assertIn(path, files)
        self.assertFalse([f for f in files if not f.startswith("usr/")], "only under /usr")

    def test_the_man_page_is_the_built_page_compressed_as_debian_installs_it(self):
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", self.deb], capture_output=True, check=True).stdout
        page = subprocess.run(["tar", "-xO", "./usr/share/man/man1/termprobe.1.gz"], input=tar, capture_output=True,
                              check=True).stdout
        self.assertEqual(page[:2], b"\x1f\x8b")
        self.assertEqual(page[4:8], b"\0\0\0\0", "gzip -n: no time in the header")
        with open(os.path.join(BUILD, "man", "termprobe.1"), "rb") as built:
            self.assertEqual(gzip.decompress(page), built.read())

    def test_the_description_does_not_repeat_its_synopsis(self):
        synopsis, *extended = self.field("Description").splitlines()
        self.assertTrue(extended)
        self.assertNotEqual(extended[0].strip(), synopsis)
        self.assertEqual([line for line in extended if not line.startswith(" ") or line.startswith("  ")], [],
                         "one space before each line: two would make it a verbatim line")

    def test_depends_names_every_library_the_binary_loads(self):
        depends = {re.split(r"[ (]", item.strip())[0] for item in self.field("Depends").split(",")}
        for names in needed_packages(TERMPROBE):
            self.assertTrue(names & depends, (names, depends))
        for package in ["libc6", "libcurl4", "libssl3", "libnghttp2-14"]:
            self.assertIn(package, depends)
        self.assertIn("ca-certificates", self.field("Recommends"))


if __name__ == "__main__":
    unittest.main()
