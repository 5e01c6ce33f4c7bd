"""Data files that sit beside an exported script (data.zip, data.csv, pretrained.pt): where
the script finds them, and how it lists an uploaded zip of class folders."""

from __future__ import annotations

from engine.data.zip_checks import JUNK
from engine.export_templates import Piece, expression, piece

HERE = expression("HERE", "Path(__file__).resolve().parent", "data files sit beside this script")
HERE_IMPORT = "from pathlib import Path"


def archive_members_piece() -> Piece:
    """Listing an uploaded zip of class folders as the app does (cat/1.png is class cat)."""
    return piece(
        f'''
        # System files such as __MACOSX/ or .DS_Store are not examples.
        JUNK = re.compile(r"{JUNK.pattern}", re.IGNORECASE)


        def list_members(archive):
            """(class folder, file name) of every file in the archive, sorted."""
            members = []
            for info in archive.infolist():
                parts = info.filename.replace("\\\\", "/").split("/")
                if info.is_dir() or JUNK.search("/".join(parts)):
                    continue
                folders = [part for part in parts[:-1] if part]
                if folders:
                    members.append((folders[-1].strip(), info.filename))
            return sorted(members)


        def class_ids(labels):
            """Class names sorted, and each label's position among them."""
            class_names = tuple(sorted(set(labels)))
            y = np.searchsorted(np.array(class_names), np.array(labels)).astype(np.int64)
            return y, class_names
        ''',
        ["import re", "import zipfile", HERE_IMPORT],
        [HERE],
    )
