/// Git access for Mooring through libgit2.
import CLibGit2
