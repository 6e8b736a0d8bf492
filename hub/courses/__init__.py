"""Courses at the hub: packages in (SCORM 1.2, SCORM 2004 or native), files stored once by SHA-256, each
version with a manifest the hub signs (wire/courses.py), sent to the edges targeted.

    package.py   what a package describes, the limits, PackageError
    archive.py   the zip checked (zip-slip, symlinks, sizes, bombs) and streamed into the store
    scorm.py     imsmanifest.xml -> Description           native.py / quiz.py: course.json and its files
    scorm2004.py which SCORM (schemaversion), and a 2004 package's tree, objectives and sequencing
    blobs.py     the content-addressed store on disk      models.py: the tables
    importer.py  one import: checks, blobs, one transaction   catalogue.py: listing and targeting
    admin_api.py /v1/admin/courses                        edge_api.py: /v1/courses, /v1/content/<sha256>
    content.py   serving a file with ETag and Range       cli.py: throughgate hub courses ...
    person.py    a released person's courses and progress  phone_api.py: /v1/phone/courses, its launch
    content_origin.py  the phones' content origin (CONTENT_PORT), on provisioning/content_origin.py

docs/courses.md describes the formats, the refusals and the API.
"""
